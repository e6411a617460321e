using TaskScheduler.Scheduler.Transport;

namespace TaskScheduler.UnitTests;

public class SubmitWindowTests
{
    private const int Largest = 6 * 1024 * 1024;

    [Test]
    public void Window_StartsSmall_AndOpensUpToTheMaximum_ForSmallMessages()
    {
        var window = new SubmitWindow(budgetBytes: 64 * 1024 * 1024, maximumPrefetch: 2000, largestMessageBytes: Largest);
        var first = window.Prefetch;

        for (var i = 0; i < 500; i++)
        {
            window.Observe(200);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.EqualTo(10), "64 MiB of 6 MiB messages");
            Assert.That(window.Prefetch, Is.EqualTo(2000));
        }
    }

    [Test]
    public void Window_ClosesAtOnce_WhenLargeMessagesArrive()
    {
        var window = new SubmitWindow(budgetBytes: 64 * 1024 * 1024, maximumPrefetch: 2000, largestMessageBytes: Largest);
        for (var i = 0; i < 500; i++)
        {
            window.Observe(200);
        }

        var changed = window.Observe(1024 * 1024 + 100);

        Assert.That(changed, Is.EqualTo(63), "64 MiB of 1 MiB submissions");
    }

    [Test]
    public void Window_ProposesNoChange_ForSmallFluctuations()
    {
        var window = new SubmitWindow(budgetBytes: 1024 * 1024, maximumPrefetch: 2000, largestMessageBytes: 10_000);
        window.Observe(1000);
        for (var i = 0; i < 200; i++)
        {
            window.Observe(10_000);
        }

        Assert.That(window.Observe(9_500), Is.Null);
    }
}
