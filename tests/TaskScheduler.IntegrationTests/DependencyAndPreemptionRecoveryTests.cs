using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// Dependencies, preemptions and retries are journaled state: a scheduler killed with -9 while they are in flight, or
/// a worker killed while it runs a resumed or a dependent task, loses none of it.
/// </summary>
[TestFixture]
[Category("integration")]
public class DependencyAndPreemptionRecoveryTests
{
    [Test]
    public async Task SchedulerKilledWithAPreemptedTaskAWaitingChainAndARetryInFlight_FinishesThemAllAfterItsRestart()
    {
        await using var system = await TestSystem.CreateAsync();
        string[] schedulerArgs = [.. SchedulerArgs.QuickPreemption, "--Scheduler:Retry:InitialBackoff=00:00:02", "--Scheduler:Retry:MaxBackoff=00:00:02"];
        await system.StartSchedulerAsync(schedulerArgs);
        system.StartWorker("steady", capacity: 1, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3), failureRate: 0.5, extraArgs: Executions.LogArgs);
        await system.WaitForWorkersAsync("steady");
        await using var events = await system.RecordEventsAsync();

        var low = Tasks.New(0, TaskOperations.Payload("low", fails: false));
        await system.SubmitAsync(low);
        await system.WaitUntilStartedAsync(low.Id);

        // An urgent task preempts it; behind them a chain of three, and a task that fails every time it runs.
        var urgent = Tasks.New(9, TaskOperations.Payload("urgent", fails: false));
        var chain = Enumerable.Range(0, 3).Select(i => Tasks.New(5, TaskOperations.Payload($"link {i}", fails: false))).ToList();
        for (var i = 1; i < chain.Count; i++)
        {
            chain[i] = chain[i] with { DependsOn = [chain[i - 1].Id] };
        }

        var flaky = Tasks.New(7, TaskOperations.Payload("flaky", fails: true)) with { MaxRetries = 2 };
        await system.SubmitAsync(urgent);
        await system.SubmitGraphAsync([.. chain]);
        await system.SubmitAsync(flaky);
        await events.WaitUntilAsync(e => e.Any(x => x.TaskId == low.Id && x.State == TaskState.Pending && x.Attempt == 1),
            TimeSpan.FromSeconds(30), "the low task to be preempted");
        await events.WaitUntilAsync(e => e.Any(x => x.TaskId == chain[^1].Id), TimeSpan.FromSeconds(30), "the chain to be accepted");

        system.Scheduler!.Kill9();
        await system.StartSchedulerAsync(schedulerArgs);

        var all = new[] { low, urgent, flaky }.Concat(chain).Select(t => t.Id).ToList();
        var finals = await system.WaitForFinalStatesAsync(all, TimeSpan.FromMinutes(2));
        var lowHistory = await system.GetHistoryEventsAsync(low.Id);
        var executions = Executions.Read(system.WorkerLogs());
        var completions = events.Snapshot().Where(e => e.State == TaskState.Completed).GroupBy(e => e.TaskId).Where(g => g.Count() > 1).Select(g => g.Key);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(all.Where(id => !finals.ContainsKey(id)), Is.Empty, "every task reaches a final state after the restart");
            Assert.That(finals[low.Id].State, Is.EqualTo(TaskState.Completed));
            Assert.That(finals[low.Id].Preemptions, Is.GreaterThanOrEqualTo(1), "the flaky task's retries may preempt it again");
            Assert.That(TaskOperations.SimulatedCheckpoint(finals[low.Id]), Is.GreaterThan(TimeSpan.Zero), "its checkpoint survived the restart");
            Assert.That(lowHistory.Take(4), Is.EqualTo(new[]
            {
                TaskHistoryEvents.Accepted, TaskHistoryEvents.Assigned, TaskHistoryEvents.Started, TaskHistoryEvents.Preempted,
            }), "history written before the kill is kept");
            Assert.That(lowHistory, Does.Contain(TaskHistoryEvents.Resumed));
            Assert.That(finals[urgent.Id].State, Is.EqualTo(TaskState.Completed));
            Assert.That(chain.Select(t => finals[t.Id].State), Is.All.EqualTo(TaskState.Completed));
            for (var i = 1; i < chain.Count; i++)
            {
                Assert.That(finals[chain[i].Id].StartedAt, Is.GreaterThanOrEqualTo(finals[chain[i - 1].Id].FinishedAt!.Value), $"link {i} ran after link {i - 1}");
            }

            Assert.That(finals[flaky.Id].State, Is.EqualTo(TaskState.Failed));
            Assert.That((finals[flaky.Id].Attempts, finals[flaky.Id].Retries), Is.EqualTo((3, 2)), "retries are counted across the restart");
            Assert.That(completions, Is.Empty, "no task is announced completed twice");
            Assert.That(executions.Where(e => e.Value > 1), Is.Empty, "no attempt ran twice");
        }
    }

    [Test]
    public async Task WorkersKilledWhileRunningAResumedTaskAndADependentTask_OthersFinishThem_KeepingCheckpointAndOrder()
    {
        await using var system = await TestSystem.CreateAsync();
        var schedulerArgs = SchedulerArgs.QuickPreemption;
        await system.StartSchedulerAsync(schedulerArgs);
        // Run times differ by worker so that, when both are killed, the dependent task (6 s on first) and the resumed
        // one (30 s on second) are surely still running.
        var first = system.StartWorker("first", capacity: 1, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(6));
        await system.WaitForWorkersAsync("first");
        await using var events = await system.RecordEventsAsync();

        // low runs on first; the graph's first task outranks it and preempts it there.
        var low = Tasks.New(0);
        await system.SubmitAsync(low);
        await system.WaitUntilStartedAsync(low.Id);
        var root = Tasks.New(5);
        var dependent = Tasks.New(5) with { DependsOn = [root.Id] };
        var last = Tasks.New(5) with { DependsOn = [dependent.Id] };
        await system.SubmitGraphAsync(root, dependent, last);
        await events.WaitUntilAsync(e => e.Any(x => x.TaskId == low.Id && x.State == TaskState.Pending && x.Attempt == 1),
            TimeSpan.FromSeconds(30), "low to be preempted");

        // A second worker resumes low; when root completes, the dependent task starts.
        var second = system.StartWorker("second", capacity: 2, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        await events.WaitUntilAsync(
            e => e.Any(x => x.TaskId == low.Id && x.State == TaskState.Running && x.Attempt == 2)
                && e.Any(x => x.TaskId == dependent.Id && x.State == TaskState.Running),
            TimeSpan.FromSeconds(60), "low resumed and the dependent task running");
        var checkpoint = (await system.GetTaskAsync(low.Id))!.Checkpoint;

        first.Kill9();
        second.Kill9();
        system.StartWorker("third", capacity: 2, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        var finals = await system.WaitForFinalStatesAsync([low.Id, root.Id, dependent.Id, last.Id], TimeSpan.FromMinutes(2));
        var lowHistory = await system.GetHistoryAsync(low.Id);
        var dependentHistory = await system.GetHistoryEventsAsync(dependent.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(finals.Values.Select(f => f.State), Is.All.EqualTo(TaskState.Completed));
            Assert.That(finals[low.Id].WorkerId, Is.EqualTo("third"));
            Assert.That(finals[low.Id].Attempts, Is.EqualTo(3));
            Assert.That(finals[low.Id].Checkpoint, Is.EqualTo(checkpoint).And.Not.Null, "the checkpoint of the preemption outlived the worker that resumed it");
            Assert.That(lowHistory!.Select(h => (h.Event, h.WorkerId)), Is.SupersetOf(new (string, string?)[]
            {
                (TaskHistoryEvents.Preempted, "first"), (TaskHistoryEvents.Resumed, "second"), (TaskHistoryEvents.WorkerDead, "second"),
                (TaskHistoryEvents.Requeued, "second"), (TaskHistoryEvents.Resumed, "third"), (TaskHistoryEvents.Completed, "third"),
            }));
            Assert.That(dependentHistory, Does.Contain(TaskHistoryEvents.WorkerDead).And.Contain(TaskHistoryEvents.Requeued));
            Assert.That(finals[dependent.Id].WorkerId, Is.EqualTo("third"));
            Assert.That(finals[last.Id].StartedAt, Is.GreaterThanOrEqualTo(finals[dependent.Id].FinishedAt!.Value), "the chain's order held through the kill");
        }
    }
}
