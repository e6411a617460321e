using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Dispatching;
using TaskScheduler.Scheduler.Core.Liveness;

namespace TaskScheduler.UnitTests;

public class LeastLoadedWorkerPickerTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static WorkerEntry Worker(string id, int capacity, int inFlight = 0, DateTimeOffset? idleSince = null, bool confirmed = true)
    {
        var worker = new WorkerEntry(id, capacity, T0, confirmed);
        for (var i = 0; i < inFlight; i++)
        {
            worker.Hold(Guid.NewGuid());
        }

        worker.IdleSince = idleSince ?? T0;
        return worker;
    }

    [Test]
    public void Choose_ReturnsNull_WhenThereAreNoWorkers()
    {
        Assert.That(LeastLoadedWorkerPicker.Choose([]), Is.Null);
    }

    [Test]
    public void Choose_ReturnsNull_WhenEveryWorkerIsFull()
    {
        var workers = new[] { Worker("a", capacity: 1, inFlight: 1), Worker("b", capacity: 3, inFlight: 3) };

        Assert.That(LeastLoadedWorkerPicker.Choose(workers), Is.Null);
    }

    [Test]
    public void Choose_SkipsFullUnconfirmedAndDrainingWorkers()
    {
        var full = Worker("full", capacity: 2, inFlight: 2, idleSince: T0.AddHours(-3));
        var unconfirmed = Worker("unconfirmed", capacity: 10, idleSince: T0.AddHours(-2), confirmed: false);
        var draining = Worker("draining", capacity: 10, idleSince: T0.AddHours(-1));
        draining.Draining = true;
        var usable = Worker("usable", capacity: 2, inFlight: 1, idleSince: T0);

        Assert.That(LeastLoadedWorkerPicker.Choose([full, unconfirmed, draining, usable]), Is.SameAs(usable));
    }

    [Test]
    public void Choose_ReturnsNull_WhenOnlyUnconfirmedOrDrainingWorkersHaveSlots()
    {
        var unconfirmed = Worker("unconfirmed", capacity: 10, confirmed: false);
        var draining = Worker("draining", capacity: 10);
        draining.Draining = true;

        Assert.That(LeastLoadedWorkerPicker.Choose([unconfirmed, draining]), Is.Null);
    }

    [Test]
    public void Choose_PicksLowestLoadRatio_NotLowestTaskCount()
    {
        // 1 of 10 slots used is a lighter load than 1 of 2, although both run one task. The big worker also loses
        // every tie-break (it idled later and its id sorts last), so only the ratio can make it win.
        var small = Worker("a-small", capacity: 2, inFlight: 1, idleSince: T0.AddMinutes(-10));
        var big = Worker("z-big", capacity: 10, inFlight: 1, idleSince: T0);

        Assert.That(LeastLoadedWorkerPicker.Choose([small, big]), Is.SameAs(big));
    }

    [Test]
    public void Choose_PicksIdleWorker_OverPartlyLoadedOne()
    {
        var loaded = Worker("a", capacity: 10, inFlight: 1, idleSince: T0.AddMinutes(-10));
        var idle = Worker("b", capacity: 1, idleSince: T0);

        Assert.That(LeastLoadedWorkerPicker.Choose([loaded, idle]), Is.SameAs(idle));
    }

    [Test]
    public void Choose_BreaksLoadTie_InFavourOfWorkerIdleLongest()
    {
        var recent = Worker("a", capacity: 4, inFlight: 1, idleSince: T0.AddSeconds(-1));
        var longest = Worker("z", capacity: 4, inFlight: 1, idleSince: T0.AddSeconds(-30));
        var middle = Worker("m", capacity: 8, inFlight: 2, idleSince: T0.AddSeconds(-10));

        Assert.That(LeastLoadedWorkerPicker.Choose([recent, middle, longest]), Is.SameAs(longest));
    }

    [Test]
    public void Choose_IsDeterministic_WhenLoadAndIdleTimeAreEqual()
    {
        var b = Worker("b", capacity: 2);
        var a = Worker("a", capacity: 2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(LeastLoadedWorkerPicker.Choose([b, a]), Is.SameAs(a));
            Assert.That(LeastLoadedWorkerPicker.Choose([a, b]), Is.SameAs(a));
        }
    }
}
