using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Dispatching;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Queueing;

namespace TaskScheduler.UnitTests;

/// <summary>
/// A restore that dispatches while the journal's pending tasks still arrive, in dispatch order, chunk by chunk: only
/// tasks at or before the frontier run, and what depends on a task not loaded yet waits for the restore to complete.
/// </summary>
public class SchedulerCoreChunkedRestoreTests : SchedulerCoreFixture
{
    [Test]
    public void ChunkedRestore_DispatchesTheLoadedHead_ThenTheRestInDispatchOrder()
    {
        var journal = InDispatchOrder(
            Snapshot(Guid.NewGuid(), priority: 9, sequence: 4),
            Snapshot(Guid.NewGuid(), priority: 5, sequence: 1),
            Snapshot(Guid.NewGuid(), priority: 5, sequence: 3),
            Snapshot(Guid.NewGuid(), priority: 0, sequence: 2));
        Core.BeginRestore([], lastSequence: 4);
        Join("w1", capacity: 10);

        Assert.That(DispatchNow(), Is.Empty, "nothing is known to rank first before the first chunk");

        Core.RestoreChunk(journal[..2], last: false);
        var first = DispatchNow().Select(a => a.TaskId).ToList();
        Core.RestoreChunk(journal[2..], last: true);
        var rest = DispatchNow().Select(a => a.TaskId).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.EqualTo(journal[..2].Select(t => t.Id)));
            Assert.That(rest, Is.EqualTo(journal[2..].Select(t => t.Id)));
            Assert.That(Core.Inner.IsRestoring, Is.False);
            Assert.That(Core.View().Restore, Is.Null);
        }
    }

    [Test]
    public void NewSubmission_DoesNotOvertakeUnloadedTasksThatOutrankIt_ButOneThatOutranksTheFrontierRuns()
    {
        var journal = InDispatchOrder(
            Snapshot(Guid.NewGuid(), priority: 5, sequence: 1),
            Snapshot(Guid.NewGuid(), priority: 3, sequence: 2));
        Core.BeginRestore([], lastSequence: 2);
        Core.RestoreChunk(journal[..1], last: false);
        var low = Submit(priority: 3);
        var urgent = Submit(priority: 9);
        Join("w1", capacity: 10);

        var during = DispatchNow().Select(a => a.TaskId).ToList();
        Core.RestoreChunk(journal[1..], last: true);
        var after = DispatchNow().Select(a => a.TaskId).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(during, Is.EqualTo(new[] { urgent, journal[0].Id }), "the new priority-3 task waits for the older one not loaded yet");
            Assert.That(after, Is.EqualTo(new[] { journal[1].Id, low }));
        }
    }

    [Test]
    public void TaskBeyondTheFrontier_DoesNotPreemptARunningOne()
    {
        Configure(preemption: new PreemptionOptions { MinRunTime = TimeSpan.Zero });
        var running = Snapshot(Guid.NewGuid(), priority: 0, sequence: 1, TaskState.Running, attempts: 1, workerId: "w1", assignedAt: Now);
        Core.BeginRestore([running], lastSequence: 2);
        Beat("w1", capacity: 1, new Contracts.Messages.RunningTask(running.Id, 1));
        // The loaded head needs a tag no worker has, so it preempts nothing itself.
        Core.RestoreChunk([Snapshot(Guid.NewGuid(), priority: 9, sequence: 2) with { Requires = ["gpu"] }], last: false);
        var beyond = Submit(priority: 5);

        Core.Effects.Clear();
        Core.Dispatch();
        var during = Core.Effects.Preempts.Count;
        Core.RestoreChunk([], last: true);
        Core.Effects.Clear();
        Core.Dispatch();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(during, Is.Zero, "a task after the frontier may be outranked by one not loaded yet: it does not preempt");
            Assert.That(Core.Effects.Preempts.Select(p => p.Order.TaskId), Is.EqualTo(new[] { running.Id }), $"once loaded, {beyond} preempts");
        }
    }

    [Test]
    public void Dependent_OfATaskNotLoadedYet_WaitsForTheRestore_AndRunsWhenItsDependencyHadCompleted()
    {
        var completedBeforeRestart = Guid.NewGuid();
        var dependent = Snapshot(Guid.NewGuid(), priority: 9, sequence: 5) with { DependsOn = [completedBeforeRestart] };
        Core.BeginRestore([], lastSequence: 5);
        Join("w1", capacity: 10);

        Core.RestoreChunk([dependent], last: false);
        var during = DispatchNow();
        Core.RestoreChunk([], last: true);
        var after = DispatchNow();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(during, Is.Empty, "its dependency may be a pending task not loaded yet");
            Assert.That(after.Select(a => a.TaskId), Is.EqualTo(new[] { dependent.Id }));
        }
    }

    [Test]
    public void Dependent_LoadedBeforeItsDependency_RunsOnlyAfterTheDependencyCompletes()
    {
        var dependency = Snapshot(Guid.NewGuid(), priority: 0, sequence: 1);
        var dependent = Snapshot(Guid.NewGuid(), priority: 9, sequence: 2) with { DependsOn = [dependency.Id] };
        Core.BeginRestore([], lastSequence: 2);
        Join("w1", capacity: 10);
        Core.RestoreChunk([dependent], last: false);
        Core.RestoreChunk([dependency], last: true);

        var first = DispatchNow();
        Assert.That(first.Select(a => a.TaskId), Is.EqualTo(new[] { dependency.Id }));
        Assert.That(Core.Finish(Result(first[0])), Is.True);
        Assert.That(DispatchNow().Select(a => a.TaskId), Is.EqualTo(new[] { dependent.Id }));
    }

    [Test]
    public void Dependent_LoadedAfterItsDependencyWasCancelledDuringTheRestore_Fails()
    {
        var dependency = Snapshot(Guid.NewGuid(), priority: 9, sequence: 1);
        var dependent = Snapshot(Guid.NewGuid(), priority: 0, sequence: 2) with { DependsOn = [dependency.Id] };
        Core.BeginRestore([], lastSequence: 2);
        Core.RestoreChunk([dependency], last: false);
        Assert.That(Core.Cancel(dependency.Id, "not needed", journaled: null), Is.EqualTo(CancelOutcome.Cancelled));

        Core.RestoreChunk([dependent], last: true);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.FindActive(dependent.Id), Is.Null);
            Assert.That(Core.Effects.Changed[dependent.Id].State, Is.EqualTo(TaskState.Failed));
            Assert.That(Core.Effects.Changed[dependent.Id].Error, Is.EqualTo($"dependency {dependency.Id} was cancelled"));
        }
    }

    [Test]
    public void TaskLoadedOnDemand_CanBeCancelled_AndTheChunkThatReachesItLaterSkipsIt()
    {
        var head = Snapshot(Guid.NewGuid(), priority: 5, sequence: 1);
        var later = Snapshot(Guid.NewGuid(), priority: 1, sequence: 2);
        Core.BeginRestore([], lastSequence: 2);
        Core.RestoreChunk([head], last: false);

        Core.LoadOnDemand(later);
        var changed = Core.Inner.ChangePriority(later.Id, 7, "ops", null, journaled: null).Value;
        Core.RestoreChunk([Snapshot(later.Id, priority: 1, sequence: 2)], last: true);
        Join("w1", capacity: 10);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(changed.Outcome, Is.EqualTo(TaskActionOutcome.Done));
            Assert.That(Active(later.Id).Priority, Is.EqualTo(7), "the core's own state wins over the chunk's older read");
            Assert.That(DispatchNow().Select(a => a.TaskId), Is.EqualTo(new[] { later.Id, head.Id }));
            Assert.That(Core.Counters.Accepted, Is.Zero, "restored tasks are not accepted again");
        }
    }

    [Test]
    public void RestoreProgress_SaysHowManyOfTheCountedTasksAreLoaded()
    {
        Core.BeginRestore([], lastSequence: 3);
        var none = Core.View().Restore;
        Core.Inner.CountedForRestore(3);
        Core.RestoreChunk([Snapshot(Guid.NewGuid(), priority: 0, sequence: 1), Snapshot(Guid.NewGuid(), priority: 0, sequence: 2)], last: false);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(none, Is.EqualTo(new RestoreProgress(0, null)));
            Assert.That(Core.View().Restore, Is.EqualTo(new RestoreProgress(2, 3)));
        }
    }

    private static TaskSnapshot[] InDispatchOrder(params TaskSnapshot[] tasks) =>
        [.. tasks.OrderBy(t => new PendingEntry(t.Priority, t.Sequence, t.Id), PendingEntry.DispatchOrder)];
}
