using TaskScheduler.Cli.Autoscale;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.UnitTests.Autoscaling;

/// <summary>How `tasks autoscale` follows the figure: whom it starts, and whom it asks to drain.</summary>
public class ScalePlannerTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void AFigureAboveThePool_StartsTheDifference()
    {
        var plan = ScalePlanner.Plan(4, [Member("w-1")], [Seen("w-1", inFlight: 4)]);

        Assert.That(plan, Is.EqualTo(new ScalePlan(3, [], 4)).Using<ScalePlan>(SamePlan));
    }

    [Test]
    public void WorkersStartedElsewhere_CountTowardsTheFigure()
    {
        var plan = ScalePlanner.Plan(3, [], [Seen("by-hand", inFlight: 0), Seen("leaving", inFlight: 1, draining: true)]);

        Assert.That(plan.Start, Is.EqualTo(2), "the draining one is leaving and does not count");
    }

    [Test]
    public void Shrinking_DrainsTheLeastBusyWorkers_NewestFirst_AndNeverKillsOne()
    {
        var pool = new[] { Member("w-1", 0), Member("w-2", 1), Member("w-3", 2), Member("w-4", 3) };
        var seen = new[] { Seen("w-1", 4), Seen("w-2", 0), Seen("w-3", 0), Seen("w-4", 2) };

        var plan = ScalePlanner.Plan(2, pool, seen);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plan.Start, Is.Zero);
            Assert.That(plan.Stop, Is.EqualTo(new[] { "w-3", "w-2" }));
        }
    }

    [Test]
    public void Shrinking_PrefersWorkersNotYetRegistered_TheyHoldNothing()
    {
        var plan = ScalePlanner.Plan(1, [Member("w-1", 0), Member("w-2", 1)], [Seen("w-1", 0)]);

        Assert.That(plan.Stop, Is.EqualTo(new[] { "w-2" }));
    }

    [Test]
    public void WorkersAlreadyStopping_AreNotStoppedAgain_NorCounted()
    {
        var pool = new[] { Member("w-1", 0), Member("w-2", 1) with { Stopping = true } };

        var plan = ScalePlanner.Plan(2, pool, [Seen("w-1", 1), Seen("w-2", 1, draining: true)]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plan.Start, Is.EqualTo(1), "w-2 is leaving: one more is needed to reach two");
            Assert.That(plan.Stop, Is.Empty);
        }
    }

    [Test]
    public void AFigureMetByOthers_LeavesNothingForThePool()
    {
        var plan = ScalePlanner.Plan(1, [Member("w-1", 0)], [Seen("w-1", 0), Seen("by-hand", 0)]);

        Assert.That(plan.Stop, Is.EqualTo(new[] { "w-1" }));
    }

    private static PoolMember Member(string id, int minute = 0) => new(id, T0.AddMinutes(minute), Stopping: false);

    private static WorkerView Seen(string id, int inFlight, bool draining = false) =>
        new(id, Capacity: 4, inFlight, draining, Confirmed: true, T0, 0, 0);

    private static bool SamePlan(ScalePlan a, ScalePlan b) => a.Start == b.Start && a.Target == b.Target && a.Stop.SequenceEqual(b.Stop);
}
