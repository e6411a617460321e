using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.UnitTests;

/// <summary>
/// A journal that could not write held a group's assignments back (nothing is sent before it is journaled): the
/// heartbeats workers sent meanwhile cannot list them, and must not requeue them.
/// </summary>
public class SchedulerCoreJournalOutageTests : SchedulerCoreFixture
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);

    [Test]
    public void AssignmentHeldBackByTheJournal_IsNotRequeued_ByHeartbeatsSentWhileItWaited()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        var assignment = DispatchNow().Single();
        Clock.Advance(Outage);
        Core.Inner.AssignmentsHeldUntil(Now);
        Core.Effects.Clear();

        // Sent during the outage, read after it: the worker had not been sent the task yet.
        Core.Heartbeat(new WorkerHeartbeat("w1", 1, [], Draining: false, Now - TimeSpan.FromSeconds(1)));
        Clock.Advance(Liveness.ReconcileGrace);
        Core.Heartbeat(new WorkerHeartbeat("w1", 1, [], Draining: false, Now - Liveness.ReconcileGrace - TimeSpan.FromSeconds(1)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Running));
            Assert.That(Active(id).Attempt, Is.EqualTo(assignment.Attempt), "no second attempt");
            Assert.That(Core.Counters.Requeued, Is.Zero);
        }
    }

    [Test]
    public void AssignmentHeldBackByTheJournal_IsStillRequeued_WhenLostAfterItWentOut()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        DispatchNow();
        Clock.Advance(Outage);
        Core.Inner.AssignmentsHeldUntil(Now);

        // Long after it went out, a heartbeat sent well after that still does not list it: it was lost.
        Clock.Advance(Liveness.ReconcileGrace + TimeSpan.FromSeconds(1));
        Beat("w1", capacity: 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(id).State, Is.EqualTo(TaskState.Pending));
            Assert.That(Core.Counters.Requeued, Is.EqualTo(1));
        }
    }
}
