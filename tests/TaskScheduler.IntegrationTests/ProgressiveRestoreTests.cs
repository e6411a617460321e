using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// A scheduler killed with -9 holding a backlog restarts dispatching before it has read the backlog back (in chunks
/// of <c>Scheduler:RestoreChunk</c>), and the restore loses nothing, runs nothing twice, keeps the dispatch order,
/// and answers duplicates, cancels and dependencies of tasks it has not read yet as if it had.
/// </summary>
[TestFixture]
[Category("integration")]
// Alone, not beside other fixtures: it measures dispatch while a large journal loads.
[NonParallelizable]
public class ProgressiveRestoreTests
{
    private const int Backlog = 20_000;

    [Test]
    public async Task SchedulerKilledWithABacklog_DispatchesWhileItLoads_InOrder_ExactlyOnce()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        var backlog = Tasks.Many(Backlog, i => i % 5);
        foreach (var batch in backlog.Chunk(500))
        {
            await system.PublishBatchAsync(JsonSerializer.SerializeToUtf8Bytes(new SubmitTasks([.. batch]), WireJson.Default.SubmitTasks));
        }

        // Pairs whose dependent ranks first and whose dependency ranks last: the dependent is read long before it.
        var pairs = Enumerable.Range(0, 20).Select(i => (Dependency: Tasks.New(0, $"dependency {i}"), Dependent: Tasks.New(4, $"dependent {i}"))).ToList();
        await system.SubmitGraphAsync([.. pairs.SelectMany(p => new[] { p.Dependency, p.Dependent with { DependsOn = [p.Dependency.Id] } })]);
        await WaitForAsync(system, c => c.GetProperty("accepted").GetInt64() >= Backlog + 40, "the backlog to be accepted");

        // Two tasks running on a worker when the scheduler dies; they finish after its restart.
        system.StartWorker("slow", capacity: 2, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(20), extraArgs: Executions.LogArgs);
        await WaitForStatsAsync(system, s => s.GetProperty("running").GetInt32() == 2, "two tasks to run on the slow worker");
        system.Scheduler!.Kill9();
        await system.Scheduler.WaitForExitAsync(TimeSpan.FromSeconds(10));

        await using var events = await system.RecordEventsAsync();
        system.StartWorker("fast-1", capacity: 10, extraArgs: Executions.LogArgs);
        system.StartWorker("fast-2", capacity: 10, extraArgs: Executions.LogArgs);
        await system.StartSchedulerAsync(["--Scheduler:RestoreChunk=100"]);

        // The last task in dispatch order is read last: a duplicate of it and a cancel of it come before.
        var last = backlog.Where(t => t.Priority == 0).Last();
        var cancelled = backlog.Where(t => t.Priority == 0).SkipLast(1).Last();
        var duplicate = await PostAsync(system, "/api/tasks", JsonSerializer.Serialize(new { id = last.Id, payload = last.Payload, priority = last.Priority }));
        var cancel = await PostAsync(system, $"/api/tasks/{cancelled.Id}/cancel", "{}");
        var restoringAfterThem = (await StatsAsync(system)).GetProperty("restore").ValueKind == JsonValueKind.Object;
        var dispatchedWhileLoading = await DispatchedWhileLoadingAsync(system);

        var ids = backlog.Select(t => t.Id).Concat(pairs.SelectMany(p => new[] { p.Dependency.Id, p.Dependent.Id })).ToList();
        await events.WaitForFinalAsync(ids, TimeSpan.FromMinutes(6));
        var announced = events.Finals();
        var journaled = await system.WaitForFinalStatesAsync(pairs.SelectMany(p => new[] { p.Dependency.Id, p.Dependent.Id }).Append(cancelled.Id), TimeSpan.FromMinutes(1));
        var runs = Executions.Read(system.WorkerLogs()).GroupBy(e => e.Key.TaskId).ToDictionary(g => g.Key, g => g.Sum(e => e.Value));
        var dependencyIds = pairs.SelectMany(p => new[] { p.Dependency.Id, p.Dependent.Id }).ToHashSet();
        var started = events.Snapshot()
            .Where(e => e.State == TaskState.Running && !dependencyIds.Contains(e.TaskId) && e.WorkerId != "slow")
            .Select(e => e.Priority)
            .ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(duplicate, Is.EqualTo("duplicate"), "a resubmission of a task not read yet is a duplicate");
            Assert.That(cancel, Is.EqualTo("cancelled"));
            Assert.That(restoringAfterThem, Is.True, "the duplicate and the cancel came while the restore was reading");
            Assert.That(dispatchedWhileLoading, Is.True, "tasks completed while the restore was still reading the backlog");
            Assert.That(ids.Where(id => !announced.ContainsKey(id)), Is.Empty, "every task reaches a final state");
            Assert.That(journaled[cancelled.Id].State, Is.EqualTo(TaskState.Cancelled));
            Assert.That(ids.Where(id => id != cancelled.Id && announced[id].State != TaskState.Completed), Is.Empty, "all others completed");
            Assert.That(ids.Where(id => id != cancelled.Id && runs.GetValueOrDefault(id) != 1), Is.Empty, "each task ran exactly once");
            Assert.That(runs.ContainsKey(cancelled.Id), Is.False, "the cancelled task never ran");
            Assert.That(started, Is.Ordered.Descending, "the restarted scheduler dispatched higher priorities first");
            foreach (var (dependency, dependent) in pairs)
            {
                Assert.That(journaled[dependent.Id].StartedAt, Is.GreaterThanOrEqualTo(journaled[dependency.Id].FinishedAt!.Value), "a dependent runs after its dependency");
            }
        }
    }

    /// <summary>Polls the stats until the restore is done; true when some sample showed tasks completed during it.</summary>
    private static async Task<bool> DispatchedWhileLoadingAsync(TestSystem system)
    {
        var seen = false;
        await Eventually.That(
            async () =>
            {
                var stats = await StatsAsync(system);
                seen |= stats.GetProperty("restore").ValueKind == JsonValueKind.Object && stats.GetProperty("counters").GetProperty("completed").GetInt64() > 0;
                return stats.GetProperty("restore").ValueKind != JsonValueKind.Object;
            },
            TimeSpan.FromMinutes(3),
            "the restore to finish");
        return seen;
    }

    private static async Task<string?> PostAsync(TestSystem system, string path, string json)
    {
        using var response = await system.Api.PostAsync(new Uri(path, UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.TryGetProperty("state", out var state) ? state.GetString() : body.ToString();
    }

    private static async Task<JsonElement> StatsAsync(TestSystem system) =>
        await system.Api.GetFromJsonAsync<JsonElement>(new Uri("/api/stats", UriKind.Relative));

    private static Task WaitForAsync(TestSystem system, Func<JsonElement, bool> counters, string what) =>
        WaitForStatsAsync(system, s => counters(s.GetProperty("counters")), what);

    private static Task WaitForStatsAsync(TestSystem system, Func<JsonElement, bool> condition, string what) =>
        Eventually.That(async () => condition(await StatsAsync(system)), TimeSpan.FromMinutes(4), what);
}
