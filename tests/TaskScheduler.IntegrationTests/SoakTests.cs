using System.Net;
using System.Text.Json;
using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// Months in minutes: rounds of tasks pass through a scheduler with a retention of seconds, served by workers that
/// come and go (one leaves, one is killed -9 each round). After each round the tasks have expired, and the journal,
/// the scheduler's memory and the broker hold no more than after the first.
/// </summary>
[TestFixture]
[Category("integration")]
[Category("soak")]
// Alone, not beside other fixtures: it measures memory over time.
[NonParallelizable]
public class SoakTests
{
    private const int Rounds = 3;
    private const int TasksPerRound = 3000;
    private static readonly string Padding = new('x', 4000);

    [Test]
    public async Task RoundsOfTasks_WithARetentionOfSeconds_LeaveTheJournalMemoryAndBrokerWhereTheFirstRoundDid()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync(["--Journal:Retention=00:00:03"]);
        await using var events = await system.RecordEventsAsync();
        var rounds = new List<RoundFigures>();
        var departed = new List<string>();

        for (var round = 1; round <= Rounds; round++)
        {
            // Fresh workers each round, as an autoscaled fleet has: ids never seen before.
            string leaver = $"r{round}-leaves", victim = $"r{round}-killed";
            var leaving = system.StartWorker(leaver, capacity: 10);
            var killed = system.StartWorker(victim, capacity: 10);
            await system.WaitForWorkersAsync(leaver, victim);

            // 4 KB payloads: a round writes several times LiteDB's log (checkpointed into the file every 1,000 pages),
            // so the file after each round holds that round's peak, not whatever the last checkpoint happened to catch.
            var tasks = Tasks.Many(TasksPerRound, i => i % 3).Select(t => t with { Payload = $"{t.Payload} {Padding}" }).ToList();
            await system.SubmitAllAsync(tasks);
            await events.WaitForFinalAsync([.. tasks.Select(t => t.Id)], TimeSpan.FromMinutes(2));
            var finals = events.Finals();
            Assert.That(tasks.Select(t => finals[t.Id].State), Is.All.EqualTo(TaskState.Completed), $"round {round}: every task completes");

            leaving.Terminate();
            killed.Kill9();
            departed.AddRange([leaver, victim]);
            await WaitUntilAsync(async () => (await system.GetWorkersAsync()).Length == 0, "the departed workers to be forgotten");
            await WaitUntilAsync(
                async () => (await system.GetCountersAsync()).GetProperty("expired").GetInt64() >= round * TasksPerRound,
                $"round {round}'s tasks to expire");

            var sample = tasks.Where((_, i) => i % 30 == 0).ToList();
            var notFound = 0;
            foreach (var task in sample)
            {
                using var response = await system.Api.GetAsync(new Uri($"/api/tasks/{task.Id}", UriKind.Relative));
                notFound += response.StatusCode == HttpStatusCode.NotFound ? 1 : 0;
            }

            rounds.Add(new RoundFigures(round, notFound, sample.Count, JournalBytes(system), await MemoryAsync(system)));
            await TestContext.Out.WriteLineAsync(rounds[^1].ToString());
        }

        var workerQueues = await WaitForNoWorkerQueuesAsync(system);
        var metrics = await system.Api.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var (first, last) = (rounds[0], rounds[^1]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rounds.Select(r => r.NotFound), Is.EqualTo(rounds.Select(r => r.Sampled)), "every expired task answers 404");
            Assert.That(last.JournalBytes, Is.LessThanOrEqualTo(first.JournalBytes * 1.2), "the journal reuses the pages expiry freed");
            Assert.That(last.WorkingSetBytes, Is.LessThanOrEqualTo((first.WorkingSetBytes * 1.25) + (32 << 20)),
                "the scheduler's memory does not grow with tasks ever processed");
            Assert.That(workerQueues, Is.Empty, "no queue of a departed worker remains");
            Assert.That(departed.Where(id => metrics.Contains($"worker=\"{id}\"", StringComparison.Ordinal)), Is.Empty,
                "nor a metric series of one");
            Assert.That(system.Scheduler!.HasExited, Is.False);
        }
    }

    private sealed record RoundFigures(int Round, int NotFound, int Sampled, long JournalBytes, (long WorkingSet, long GcHeap) Memory)
    {
        public long WorkingSetBytes => Memory.WorkingSet;

        public override string ToString() =>
            $"round {Round}: {NotFound} of {Sampled} sampled ids answer 404; journal {JournalBytes:N0} bytes; " +
            $"scheduler working set {Memory.WorkingSet:N0} bytes, managed heap {Memory.GcHeap:N0} bytes";
    }

    /// <summary>
    /// The journal file. Its log (journal-log.db) is left out: it grows to LiteDB's checkpoint size (1,000 pages, 8 MB)
    /// and is emptied at each checkpoint, so at any moment it holds anything between nothing and 8 MB.
    /// </summary>
    private static long JournalBytes(TestSystem system) => new FileInfo(system.JournalPath).Length;

    /// <summary>
    /// The scheduler's working set and managed heap, as GET /api/stats reports them: the lowest of a few samples over
    /// two seconds. The garbage collector commits and releases tens of MiB as it goes (more so on a loaded machine,
    /// where collections come late), so one sample may catch a peak; what a leak adds stays in every sample.
    /// </summary>
    private static async Task<(long, long)> MemoryAsync(TestSystem system)
    {
        var lowest = (WorkingSet: long.MaxValue, GcHeap: 0L);
        for (var sample = 0; sample < 5; sample++)
        {
            using var stats = JsonDocument.Parse(await system.Api.GetStringAsync(new Uri("/api/stats", UriKind.Relative)));
            var process = stats.RootElement.GetProperty("process");
            var workingSet = process.GetProperty("workingSetBytes").GetInt64();
            lowest = workingSet < lowest.WorkingSet ? (workingSet, process.GetProperty("gcHeapBytes").GetInt64()) : lowest;
            await Task.Delay(TimeSpan.FromMilliseconds(400));
        }

        return lowest;
    }

    private static async Task<List<string>> WaitForNoWorkerQueuesAsync(TestSystem system)
    {
        var prefix = system.Topology.WorkerQueue("");
        return await Eventually.Returns(
            () => BrokerQueues.NamedAsync(system.BrokerUrl, prefix), left => left.Count == 0, TimeSpan.FromMinutes(1), "no worker queue left",
            left => string.Join(", ", left));
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition, string what) => Eventually.That(condition, TimeSpan.FromMinutes(1), what);
}
