using TaskScheduler.Worker.Agent;

namespace TaskScheduler.UnitTests.Worker;

public class TermFenceTests
{
    [Test]
    public void OrdersOfASingleScheduler_AreAllObeyed()
    {
        var fence = new TermFence();

        var admitted = Enumerable.Range(0, 5).Select(_ => fence.Admits(0)).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(admitted, Has.All.True);
            Assert.That(fence.Highest, Is.Zero);
            Assert.That(fence.Refused, Is.Zero);
        }
    }

    [Test]
    public void OnceATermIsSeen_OrdersOfOlderTermsAreRefusedAndCounted_AndItsOwnAndNewerOnesObeyed()
    {
        var fence = new TermFence();
        fence.Admits(0);

        Assert.That(fence.Admits(3), Is.True, "a new leader's first order");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fence.Admits(0), Is.False, "the single or first scheduler, deposed");
            Assert.That(fence.Admits(2), Is.False, "an older leader");
            Assert.That(fence.Admits(3), Is.True, "the leader's next order");
            Assert.That(fence.Highest, Is.EqualTo(3));
            Assert.That(fence.Refused, Is.EqualTo(2));
        }

        Assert.That(fence.Admits(5), Is.True);
        Assert.That(fence.Admits(3), Is.False, "deposed in its turn");
        Assert.That(fence.Refused, Is.EqualTo(3));
    }

    [Test]
    public void ANewLeadersAnnouncement_RaisesTheTerm_AndAStaleOneIsNoRefusedOrder()
    {
        var fence = new TermFence();

        var raised = fence.Learn(4);
        var stale = fence.Learn(2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((raised, stale), Is.EqualTo((4L, 4L)));
            Assert.That(fence.Refused, Is.Zero);
            Assert.That(fence.Admits(3), Is.False, "an order of the term before is refused from now on");
        }
    }

    [Test]
    public void TermsSeenOnManyThreads_LeaveTheHighest()
    {
        var fence = new TermFence();

        Parallel.For(1, 10_001, term => fence.Admits(term));

        Assert.That(fence.Highest, Is.EqualTo(10_000));
        Assert.That(fence.Admits(9_999), Is.False);
    }
}
