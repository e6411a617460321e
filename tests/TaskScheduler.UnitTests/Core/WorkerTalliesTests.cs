using TaskScheduler.Scheduler.Core.Liveness;

namespace TaskScheduler.UnitTests;

public class WorkerTalliesTests
{
    [Test]
    public void Keep_ForgetsTheOldestWorkers_PastTheCap()
    {
        var tallies = new WorkerTallies();
        for (var i = 0; i <= WorkerTallies.Cap; i++)
        {
            tallies.Keep(new WorkerEntry($"w{i}", 1, DateTimeOffset.UnixEpoch, confirmed: true) { Completed = i + 1 });
        }

        var first = new WorkerEntry("w0", 1, DateTimeOffset.UnixEpoch, confirmed: true);
        var last = new WorkerEntry($"w{WorkerTallies.Cap}", 1, DateTimeOffset.UnixEpoch, confirmed: true);
        tallies.Restore(first);
        tallies.Restore(last);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Completed, Is.Zero);
            Assert.That(last.Completed, Is.EqualTo(WorkerTallies.Cap + 1));
            Assert.That(tallies.Count, Is.EqualTo(WorkerTallies.Cap - 1));
        }
    }

    [Test]
    public void AWorkerThatCameBackAndWentAgain_IsTheNewest_WhenTheCapForgetsTheOldest()
    {
        var tallies = new WorkerTallies();
        tallies.Keep(new WorkerEntry("flapping", 1, DateTimeOffset.UnixEpoch, confirmed: true) { Completed = 1 });
        tallies.Keep(new WorkerEntry("steady", 1, DateTimeOffset.UnixEpoch, confirmed: true) { Completed = 2 });
        var back = new WorkerEntry("flapping", 1, DateTimeOffset.UnixEpoch, confirmed: true);
        tallies.Restore(back);
        back.Completed++;
        tallies.Keep(back);
        for (var i = 0; i < WorkerTallies.Cap - 1; i++)
        {
            tallies.Keep(new WorkerEntry($"w{i}", 1, DateTimeOffset.UnixEpoch, confirmed: true) { Completed = 1 });
        }

        var flapping = new WorkerEntry("flapping", 1, DateTimeOffset.UnixEpoch, confirmed: true);
        var steady = new WorkerEntry("steady", 1, DateTimeOffset.UnixEpoch, confirmed: true);
        tallies.Restore(flapping);
        tallies.Restore(steady);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(steady.Completed, Is.Zero, "the oldest kept worker is forgotten");
            Assert.That(flapping.Completed, Is.EqualTo(2), "the worker kept last keeps its counts");
        }
    }

    [Test]
    public void Keep_RemembersNothing_ForAWorkerThatCountedNothing()
    {
        var tallies = new WorkerTallies();
        tallies.Keep(new WorkerEntry("idle", 1, DateTimeOffset.UnixEpoch, confirmed: true));

        Assert.That(tallies.Count, Is.Zero);
    }
}
