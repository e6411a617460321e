using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Retention;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.UnitTests;

public class JournalOptionsTests
{
    private static readonly string ContentRoot = Path.Combine(Path.GetTempPath(), "scheduler-bin");

    [Test]
    public void FullPath_TakesARelativePathFromTheContentRoot_NotTheWorkingDirectory()
    {
        var options = new JournalOptions();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.FullPath(ContentRoot), Is.EqualTo(Path.Combine(ContentRoot, "data", "journal.db")));
            Assert.That(new JournalOptions { Path = "../state/j.db" }.FullPath(ContentRoot), Is.EqualTo(Path.Combine(Path.GetTempPath(), "state", "j.db")));
        }
    }

    [Test]
    public void FullPath_KeepsAnAbsolutePath()
    {
        var absolute = Path.Combine(Path.GetTempPath(), "elsewhere", "journal.db");

        Assert.That(new JournalOptions { Path = absolute }.FullPath(ContentRoot), Is.EqualTo(absolute));
    }

    [Test]
    public void RetentionPolicy_GivesEveryOutcomeTheRetention_UnlessItHasItsOwn()
    {
        var options = new JournalOptions { Retention = TimeSpan.FromDays(2), FailedRetention = TimeSpan.FromDays(20) };

        Assert.That(options.RetentionPolicy(), Is.EqualTo(new RetentionPolicy(
            TimeSpan.FromDays(2), TimeSpan.FromDays(20), TimeSpan.FromDays(2), CompletedPayload: TimeSpan.FromDays(2))));
    }

    [Test]
    public void Validate_RefusesWithAReason_ARetentionNotPositive_OrAPayloadKeptLongerThanItsTask()
    {
        var defaults = new JournalOptions();
        var zero = new JournalOptions { Retention = TimeSpan.Zero };
        var negative = new JournalOptions { CancelledRetention = TimeSpan.FromHours(-1) };
        var payloadLonger = new JournalOptions { CompletedRetention = TimeSpan.FromDays(1), PayloadRetention = TimeSpan.FromDays(2) };

        using (Assert.EnterMultipleScope())
        {
            Assert.That(defaults.Validate(), Is.Empty);
            Assert.That(defaults.RetentionPolicy(), Is.EqualTo(RetentionPolicy.All(TimeSpan.FromDays(7))), "a week by default");
            Assert.That(zero.Validate(), Is.EqualTo(new[] { "Journal:Retention must be positive (a time such as 7.00:00:00), not '00:00:00'" }));
            Assert.That(negative.Validate(), Is.EqualTo(new[] { "Journal:CancelledRetention must be positive (a time such as 7.00:00:00), not '-01:00:00'" }));
            Assert.That(payloadLonger.Validate().Single(), Does.StartWith("Journal:PayloadRetention ('2.00:00:00') must not be longer than the retention of Completed tasks ('1.00:00:00')"));
        }
    }

    [Test]
    public void Validate_RefusesAMaterializeWindow_NotPositive_OrLongerThanAMinute()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(new JournalOptions().MaterializeEvery, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(new JournalOptions { MaterializeEvery = TimeSpan.FromSeconds(30) }.Validate(), Is.Empty);
            Assert.That(new JournalOptions { MaterializeEvery = TimeSpan.Zero }.Validate().Single(), Does.StartWith("Journal:MaterializeEvery must be positive and at most 00:01:00"));
            Assert.That(new JournalOptions { MaterializeEvery = TimeSpan.FromMinutes(5) }.Validate().Single(), Does.EndWith("not '00:05:00'"));
        }
    }
}
