using System.Globalization;
using System.Text.RegularExpressions;
using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>An urgent task takes the slot of a running one, which pauses, keeps its progress and resumes later.</summary>
[TestFixture]
[Category("integration")]
public partial class PreemptionTests
{
    [Test]
    public async Task UrgentTask_PreemptsARunningTask_WhichResumesFromItsCheckpoint_AndBothComplete()
    {
        await using var system = await TestSystem.CreateAsync();
        var schedulerArgs = SchedulerArgs.QuickPreemption;
        await system.StartSchedulerAsync(schedulerArgs);
        var worker = system.StartWorker("solo", capacity: 1, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(6), extraArgs: Executions.LogArgs);
        await system.WaitForWorkersAsync("solo");
        await using var events = await system.RecordEventsAsync();

        var low = Tasks.New(priority: 0);
        await system.SubmitAsync(low);
        await system.WaitUntilStartedAsync(low.Id);
        var urgent = Tasks.New(priority: 10);
        await system.SubmitAsync(urgent);

        await events.WaitUntilAsync(e => e.Any(x => x.TaskId == low.Id && x.State == TaskState.Pending && x.Attempt == 1),
            TimeSpan.FromSeconds(30), "the running task to be preempted");
        var paused = await system.GetTaskAsync(low.Id);
        var finals = await system.WaitForFinalStatesAsync([low.Id, urgent.Id], TimeSpan.FromSeconds(60));
        var history = await system.GetHistoryAsync(low.Id);
        var order = events.Snapshot().Where(e => e.State is TaskState.Running or TaskState.Completed).Select(e => (e.TaskId, e.State)).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(paused!.State, Is.EqualTo(TaskState.Pending));
            Assert.That(paused.PendingReason, Does.StartWith($"preempted on worker solo for task {urgent.Id} of priority 10; waiting to resume from"));
            Assert.That(finals[low.Id].State, Is.EqualTo(TaskState.Completed));
            Assert.That(finals[low.Id].Attempts, Is.EqualTo(2), "the resumed run is a new attempt");
            Assert.That(finals[low.Id].Preemptions, Is.EqualTo(1));
            Assert.That(TaskOperations.SimulatedCheckpoint(finals[low.Id]), Is.GreaterThan(TimeSpan.Zero).And.LessThan(TimeSpan.FromSeconds(6)));
            Assert.That(finals[urgent.Id].State, Is.EqualTo(TaskState.Completed));
            Assert.That(order, Is.EqualTo(new[]
            {
                (low.Id, TaskState.Running), (urgent.Id, TaskState.Running), (urgent.Id, TaskState.Completed),
                (low.Id, TaskState.Running), (low.Id, TaskState.Completed),
            }), "the urgent task ran in the preempted task's slot, which then resumed");
            Assert.That(history!.Select(h => h.Event), Is.EqualTo(new[]
            {
                TaskHistoryEvents.Accepted, TaskHistoryEvents.Assigned, TaskHistoryEvents.Started, TaskHistoryEvents.Preempted,
                TaskHistoryEvents.Resumed, TaskHistoryEvents.Started, TaskHistoryEvents.Completed,
            }));
        }

        // The worker ran the resumed attempt for what was left: its whole run time minus the checkpoint.
        var runs = ExecutionLength().Matches(worker.ReadLog()).Where(m => m.Groups[1].Value == low.Id.ToString())
            .ToDictionary(m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), m => TimeSpan.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));
        Assert.That(runs[1], Is.EqualTo(TimeSpan.FromSeconds(6)));
        Assert.That(runs[2] + TaskOperations.SimulatedCheckpoint(finals[low.Id]), Is.EqualTo(TimeSpan.FromSeconds(6)).Within(TimeSpan.FromMilliseconds(1)));
    }

    [Test]
    public async Task WithPreemptionSwitchedOff_TheUrgentTaskWaitsForTheSlot()
    {
        await using var system = await TestSystem.CreateAsync();
        string[] schedulerArgs = [.. SchedulerArgs.QuickPreemption, "--Scheduler:Preemption:Enabled=false"];
        await system.StartSchedulerAsync(schedulerArgs);
        system.StartWorker("solo", capacity: 1, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3));
        await system.WaitForWorkersAsync("solo");

        var low = Tasks.New(priority: 0);
        await system.SubmitAsync(low);
        await system.WaitUntilStartedAsync(low.Id);
        var urgent = Tasks.New(priority: 10);
        await system.SubmitAsync(urgent);
        var finals = await system.WaitForFinalStatesAsync([low.Id, urgent.Id], TimeSpan.FromSeconds(60));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(finals[low.Id].Attempts, Is.EqualTo(1));
            Assert.That(finals[low.Id].Preemptions, Is.Zero);
            Assert.That(finals[urgent.Id].StartedAt, Is.GreaterThanOrEqualTo(finals[low.Id].FinishedAt!.Value));
            Assert.That((await system.GetCountersAsync()).GetProperty("preemptionsOrdered").GetInt64(), Is.Zero);
        }
    }

    [GeneratedRegex(@"Simulating task ([0-9a-f-]{36}) attempt (\d+) for (\S+)")]
    private static partial Regex ExecutionLength();
}
