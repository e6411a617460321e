using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;

namespace TaskScheduler.UnitTests;

/// <summary>Tasks that wait for other tasks: release on completion, failure down the graph, graphs as one submission.</summary>
public class SchedulerCoreDependencyTests : SchedulerCoreFixture
{
    [Test]
    public void Dependent_WaitsUntilEveryDependencyCompletes_ThenRunsByItsPriority()
    {
        Join("w1", capacity: 4);
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var c = Guid.NewGuid();
        SubmitGraph(Spec(a), Spec(b), Spec(c, priority: 9, dependsOn: [a, b]));

        var first = DispatchNow();
        Assert.That(first.Select(x => x.TaskId), Is.EquivalentTo(new[] { a, b }), "c waits although it ranks highest");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(c).IsWaitingOnDependencies, Is.True);
            Assert.That(Core.WaitingOnDependenciesCount, Is.EqualTo(1));
            Assert.That(Core.View().WaitingOnDependencies, Is.EqualTo(1));
            Assert.That((Core.View().Pending, Core.View().Running), Is.EqualTo((0, 2)), "a waiting task is neither queued nor running");
        }

        Assert.That(Core.Finish(Result(first.Single(x => x.TaskId == a))), Is.True);
        Assert.That(DispatchNow(), Is.Empty, "one dependency is still running");

        Assert.That(Core.Finish(Result(first.Single(x => x.TaskId == b))), Is.True);
        var next = DispatchNow();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(next.Select(x => x.TaskId), Is.EqualTo(new[] { c }));
            Assert.That(Core.WaitingOnDependenciesCount, Is.Zero);
        }
    }

    [Test]
    public void Dependent_OfATaskCompletedBeforeIt_IsQueuedAtOnce()
    {
        var done = Guid.NewGuid();
        var journaled = new Dictionary<Guid, TaskSnapshot> { [done] = Snapshot(done, 0, 1, TaskState.Completed, attempts: 1) };
        var task = Guid.NewGuid();

        SubmitGraph(journaled, Spec(task, dependsOn: [done]));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Active(task).IsWaitingOnDependencies, Is.False);
            Assert.That(Core.PendingCount, Is.EqualTo(1));
        }
    }

    [Test]
    public void FailedDependency_FailsItsDependentsTransitively_NamingIt()
    {
        Join("w1", capacity: 1);
        var root = Guid.NewGuid();
        var child = Guid.NewGuid();
        var grandchild = Guid.NewGuid();
        var other = Guid.NewGuid();
        SubmitGraph(Spec(root), Spec(other), Spec(child, dependsOn: [root]), Spec(grandchild, dependsOn: [child, other]));
        var run = DispatchNow().Single();
        Core.Effects.Clear();

        Assert.That(Core.Finish(Result(run.TaskId, "w1", run.Attempt, TaskOutcome.Failed, "disk full")), Is.True);

        var failed = Core.Effects.Events.Where(e => e.State == TaskState.Failed).ToDictionary(e => e.TaskId, e => e.Error);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(failed.Keys, Is.EquivalentTo(new[] { root, child, grandchild }));
            Assert.That(failed[child], Is.EqualTo($"dependency {root} failed"));
            Assert.That(failed[grandchild], Does.Contain($"dependency {child} failed").And.Contain(root.ToString()));
            Assert.That(Core.FindActive(child), Is.Null, "a failed dependent is final");
            Assert.That(Core.FindActive(other), Is.Not.Null, "a task that does not depend on the failure is untouched");
            Assert.That(HistoryOf(child), Is.EqualTo(new[] { TaskHistoryEvents.DependencyFailed }));
            Assert.That(Core.Counters.DependencyFailed, Is.EqualTo(2));
            Assert.That(Core.WaitingOnDependenciesCount, Is.Zero);
        }

        // The grandchild also waited on `other`: its completion later must not resurrect it.
        Core.Effects.Clear();
        var next = DispatchNow().Single();
        Assert.That(Core.Finish(Result(next)), Is.True);
        Assert.That(DispatchNow(), Is.Empty);
    }

    [Test]
    public void CancelledDependency_FailsItsDependents_SayingItWasCancelled()
    {
        var root = Guid.NewGuid();
        var child = Guid.NewGuid();
        SubmitGraph(Spec(root), Spec(child, dependsOn: [root]));
        Core.Effects.Clear();

        Assert.That(Core.Cancel(root, "not needed", journaled: null), Is.EqualTo(CancelOutcome.Cancelled));

        var events = Core.Effects.Events.ToDictionary(e => e.TaskId);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(events[root].State, Is.EqualTo(TaskState.Cancelled));
            Assert.That(events[child].State, Is.EqualTo(TaskState.Failed));
            Assert.That(events[child].Error, Is.EqualTo($"dependency {root} was cancelled"));
        }
    }

    [Test]
    public void Dependent_OfATaskThatAlreadyFailed_IsAcceptedAndFailsAtOnce_WithItsOwnDependentsInTheGraph()
    {
        var failed = Guid.NewGuid();
        var journaled = new Dictionary<Guid, TaskSnapshot> { [failed] = Snapshot(failed, 0, 1, TaskState.Failed, attempts: 1) };
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();

        // b is listed first: the graph is worked through in dependency order, whatever the order of the array.
        SubmitGraph(journaled, Spec(b, dependsOn: [a]), Spec(a, dependsOn: [failed]));

        var finals = Core.Effects.Events.Where(e => e.State == TaskState.Failed).ToDictionary(e => e.TaskId, e => e.Error);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(finals[a], Is.EqualTo($"dependency {failed} failed"));
            Assert.That(finals[b], Does.StartWith($"dependency {a} failed"));
            Assert.That(Core.ActiveCount, Is.Zero);
            Assert.That(HistoryOf(a), Is.EqualTo(new[] { TaskHistoryEvents.Accepted, TaskHistoryEvents.DependencyFailed }));
            Assert.That(Core.Effects.Changed[a].State, Is.EqualTo(TaskState.Failed), "the failure is journaled");
        }
    }

    [Test]
    public void Graph_WithACycle_IsRejectedWhole_NamingTheCycle()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var c = Guid.NewGuid();
        var free = Guid.NewGuid();

        var verdict = Core.Submit([Spec(free), Spec(a, dependsOn: [c]), Spec(b, dependsOn: [a]), Spec(c, dependsOn: [b])], new Dictionary<Guid, TaskSnapshot>());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(verdict.Outcome, Is.EqualTo(SubmitOutcome.Invalid));
            Assert.That(verdict.Reason, Does.StartWith("dependency cycle:").And.Contain(a.ToString()).And.Contain(b.ToString()).And.Contain(c.ToString()));
            Assert.That(verdict.Reason, Does.Not.Contain(free.ToString()));
            Assert.That(Core.ActiveCount, Is.Zero, "nothing of a rejected graph is accepted");
            Assert.That(Core.Effects.IsEmpty, Is.True);
            Assert.That(Core.Counters.Rejected, Is.EqualTo(1));
        }
    }

    [Test]
    public void Graph_IsRejected_ForASelfDependencyAnUnknownIdOrAnIdGivenTwice()
    {
        var a = Guid.NewGuid();
        var unknown = Guid.NewGuid();
        var none = new Dictionary<Guid, TaskSnapshot>();

        var self = Core.Submit([Spec(a, dependsOn: [a])], none);
        var missing = Core.Submit([Spec(a, dependsOn: [unknown])], none);
        var twice = Core.Submit([Spec(a), Spec(a)], none);
        var empty = Core.Submit([], none);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(self, Is.EqualTo(new SubmitVerdict(SubmitOutcome.Invalid, $"task {a} depends on itself")));
            Assert.That(missing, Is.EqualTo(new SubmitVerdict(SubmitOutcome.Invalid, $"task {a} depends on task {unknown}, which is unknown or expired")));
            Assert.That(twice.Outcome, Is.EqualTo(SubmitOutcome.Invalid));
            Assert.That(twice.Reason, Does.Contain("more than once"));
            Assert.That(empty.Outcome, Is.EqualTo(SubmitOutcome.Invalid));
            Assert.That(Core.ActiveCount, Is.Zero);
        }
    }

    [Test]
    public void Graph_ResubmittedAsItWas_IsADuplicate_AndWithOtherContentAConflict()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        SubmitGraph(Spec(a), Spec(b, dependsOn: [a]));
        Core.Effects.Clear();

        var again = Core.Submit([Spec(a), Spec(b, dependsOn: [a])], new Dictionary<Guid, TaskSnapshot>());
        var otherDependencies = Core.Submit([Spec(b)], new Dictionary<Guid, TaskSnapshot>());
        var extended = Core.Submit([Spec(a), Spec(Guid.NewGuid(), dependsOn: [a, b])], new Dictionary<Guid, TaskSnapshot>());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(again, Is.EqualTo(SubmitVerdict.Duplicate));
            Assert.That(otherDependencies.Outcome, Is.EqualTo(SubmitOutcome.Conflict), "the dependencies are part of a task's content");
            Assert.That(extended, Is.EqualTo(SubmitVerdict.Accepted), "known tasks in a graph are left as they are, new ones accepted");
            Assert.That(Core.ActiveCount, Is.EqualTo(3));
        }
    }

    [Test]
    public void FanOutOfTenThousand_AllAreReleasedWhenTheRootCompletes_AndAllComplete()
    {
        const int fanOut = 10_000;
        Join("w1", capacity: 10);
        var root = Guid.NewGuid();
        var graph = new List<ParsedSubmission> { Spec(root) };
        graph.AddRange(Enumerable.Range(0, fanOut).Select(_ => Spec(Guid.NewGuid(), dependsOn: [root])));
        SubmitGraph([.. graph]);

        var rootRun = DispatchNow().Single();
        Assert.That(Core.WaitingOnDependenciesCount, Is.EqualTo(fanOut));
        Assert.That(Core.Finish(Result(rootRun)), Is.True);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.WaitingOnDependenciesCount, Is.Zero);
            Assert.That(Core.PendingCount, Is.EqualTo(fanOut), "every dependent is released by the one completion");
        }

        var completed = RunToTheEnd();
        Assert.That(completed, Has.Count.EqualTo(fanOut));
        Assert.That(completed, Is.Unique);
    }

    [Test]
    public void ChainOfTenThousand_RunsInOrder_OneLinkAtATime()
    {
        const int length = 10_000;
        Join("w1", capacity: 10);
        var ids = Enumerable.Range(0, length).Select(_ => Guid.NewGuid()).ToList();
        SubmitGraph([.. ids.Select((id, i) => Spec(id, dependsOn: i == 0 ? null : [ids[i - 1]]))]);

        var completed = RunToTheEnd(maxInFlight: 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(completed, Is.EqualTo(ids), "each link runs only after the one before it");
            Assert.That(Core.ActiveCount, Is.Zero);
        }
    }

    [Test]
    public void ChainOfTenThousand_FailsWhole_WhenItsFirstLinkFails()
    {
        const int length = 10_000;
        Join("w1", capacity: 1);
        var ids = Enumerable.Range(0, length).Select(_ => Guid.NewGuid()).ToList();
        SubmitGraph([.. ids.Select((id, i) => Spec(id, dependsOn: i == 0 ? null : [ids[i - 1]]))]);
        var first = DispatchNow().Single();
        Core.Effects.Clear();

        Assert.That(Core.Finish(Result(first.TaskId, "w1", 1, TaskOutcome.Failed, "boom")), Is.True);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Effects.Events.Count(e => e.State == TaskState.Failed), Is.EqualTo(length));
            Assert.That(Core.ActiveCount, Is.Zero);
            Assert.That(Core.Effects.Events.Last().Error, Does.Contain(ids[0].ToString()), "the last link names the root cause");
        }
    }

    [Test]
    public void Restore_KeepsDependentsWaiting_AndReleasesThemWhenTheirDependencyCompletes()
    {
        Join("w1", capacity: 1);
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var c = Guid.NewGuid();
        SubmitGraph(Spec(a), Spec(b, dependsOn: [a]), Spec(c, dependsOn: [b]));
        var running = DispatchNow().Single();
        var journal = Core.Effects.Changed.Values.ToList();

        // A restarted scheduler reads the journal back; a's worker reports the result of the attempt it ran.
        SetUp();
        Core.Restore(journal, lastSequence: 3);
        Beat("w1", capacity: 1, new RunningTask(a, 1));
        Assert.That(Core.WaitingOnDependenciesCount, Is.EqualTo(2));
        Assert.That(Core.Finish(Result(running)), Is.True);

        Assert.That(DispatchNow().Select(x => x.TaskId), Is.EqualTo(new[] { b }));
        Assert.That(Core.WaitingOnDependenciesCount, Is.EqualTo(1), "c still waits for b");
    }

    /// <summary>Completes whatever gets assigned until nothing is left; returns task ids in completion order.</summary>
    private List<Guid> RunToTheEnd(int maxInFlight = int.MaxValue)
    {
        var completed = new List<Guid>();
        while (true)
        {
            var assignments = DispatchNow();
            if (assignments.Count == 0)
            {
                return completed;
            }

            Assert.That(assignments, Has.Count.LessThanOrEqualTo(maxInFlight));
            foreach (var assignment in assignments)
            {
                Assert.That(Core.Finish(Result(assignment)), Is.True);
                completed.Add(assignment.TaskId);
            }

            Core.Effects.Clear();
        }
    }
}
