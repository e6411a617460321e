using TaskScheduler.Client.Events;
using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;
using TaskScheduler.Worker.Simulation;

namespace TaskScheduler.IntegrationTests;

[TestFixture]
[Category("integration")]
public class EndToEndTests
{
    [Test]
    public async Task ThousandTasksOfMixedPriorities_AllReachTheirFinalState_WithoutAnyWorkerOverCapacity()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        var capacities = new Dictionary<string, int> { ["w1"] = 2, ["w2"] = 4, ["w3"] = 6 };
        foreach (var (id, capacity) in capacities)
        {
            system.StartWorker(id, capacity, TimeSpan.Zero, TimeSpan.FromMilliseconds(20), failureRate: 0.1);
        }

        await system.WaitForWorkersAsync([.. capacities.Keys]);
        await using var events = await system.RecordEventsAsync();

        var tasks = Tasks.Many(1000, i => i % 10);
        await system.SubmitAllAsync(tasks);
        await events.WaitForFinalAsync([.. tasks.Select(t => t.Id)], TimeSpan.FromMinutes(3));

        var finals = events.Finals();
        var peak = PeakInFlight(events.Snapshot());
        using (Assert.EnterMultipleScope())
        {
            foreach (var task in tasks)
            {
                // The worker's simulated outcome follows from the payload alone, so we know what each must end as.
                var expected = SimulatedExecution.Plan(task.Payload, TimeSpan.Zero, TimeSpan.Zero, 0.1).Fails ? TaskState.Failed : TaskState.Completed;
                Assert.That(finals[task.Id].State, Is.EqualTo(expected), $"task {task.Id}");
            }

            foreach (var (id, capacity) in capacities)
            {
                Assert.That(peak.GetValueOrDefault(id), Is.InRange(1, capacity), $"peak tasks in flight on {id}");
            }

            var perWorker = finals.Values.GroupBy(e => e.WorkerId!).ToDictionary(g => g.Key, g => g.Count());
            Assert.That(perWorker.Keys, Is.EquivalentTo(capacities.Keys), "every worker took part");
        }

        var status = await system.GetTaskAsync(tasks[0].Id);
        Assert.That(status, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(status!.State, Is.EqualTo(finals[tasks[0].Id].State));
            Assert.That(status.Attempts, Is.EqualTo(1));
            Assert.That(status.WorkerId, Is.AnyOf("w1", "w2", "w3"));
            Assert.That(status.FinishedAt, Is.Not.Null);
        }
    }

    [Test]
    public async Task HigherPriorityRunsFirst_AndFifoWithinAPriority_WhenTasksWaitForAWorker()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        await using var events = await system.RecordEventsAsync();

        var tasks = Tasks.Many(40, i => (i * 7) % 5);
        await system.SubmitAllAsync(tasks);
        await events.WaitUntilAsync(e => e.Count(x => x.State == TaskState.Pending) == tasks.Count, TimeSpan.FromSeconds(30), "all tasks pending");

        var waiting = await system.GetTaskAsync(tasks[0].Id);
        Assert.That(waiting!.PendingReason, Does.Contain("no worker registered"));

        system.StartWorker("solo", capacity: 1);
        await events.WaitForFinalAsync([.. tasks.Select(t => t.Id)], TimeSpan.FromMinutes(1));

        var started = events.Snapshot().Where(e => e.State == TaskState.Running).Select(e => e.TaskId).ToList();
        var expected = tasks
            .Select((t, index) => (t, index))
            .OrderByDescending(x => x.t.Priority)
            .ThenBy(x => x.index)
            .Select(x => x.t.Id)
            .ToList();
        Assert.That(started, Is.EqualTo(expected));
    }

    /// <summary>Replays the scheduler's own events: +1 when a task starts on a worker, -1 when it ends.</summary>
    private static Dictionary<string, int> PeakInFlight(IReadOnlyList<TaskEvent> events)
    {
        var current = new Dictionary<string, int>();
        var peak = new Dictionary<string, int>();
        var holder = new Dictionary<Guid, string>();
        foreach (var e in events)
        {
            if (e.State == TaskState.Running)
            {
                holder[e.TaskId] = e.WorkerId!;
                current[e.WorkerId!] = current.GetValueOrDefault(e.WorkerId!) + 1;
                peak[e.WorkerId!] = Math.Max(peak.GetValueOrDefault(e.WorkerId!), current[e.WorkerId!]);
            }
            else if (holder.Remove(e.TaskId, out var worker))
            {
                current[worker]--;
            }
        }

        return peak;
    }
}
