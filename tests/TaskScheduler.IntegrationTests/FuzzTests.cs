using System.Globalization;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// Thousands of malformed, truncated, oversized, non-UTF-8, wrongly typed and forged messages, to the submit
/// exchange and to the events exchange, mixed with valid work: the scheduler stays up, rejects every bad submission
/// with a reason, completes every valid task, and lets no forgery change any task's state.
/// </summary>
[TestFixture]
[Category("integration")]
[Category("fuzz")]
public class FuzzTests
{
    private const int InvalidSubmissions = 3000;
    private const int ValidTasks = 300;
    private const int Forgeries = 2000;
    private const int Capacity = 3;

    [Test]
    public async Task HostileMessagesOnBothExchanges_AreRejectedOrFencedOff_WhileValidWorkCompletesUntouched()
    {
        var seed = Environment.GetEnvironmentVariable("FUZZ_SEED") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : Random.Shared.Next();
        await TestContext.Out.WriteLineAsync($"fuzz seed {seed} (set FUZZ_SEED to replay)");
        var hostile = new HostileInput(seed);
        var random = new Random(seed);

        // A long liveness window: forged heartbeats under real worker ids leave out what those workers run, and
        // only an assignment older than the grace may be requeued for that; the tasks here run for milliseconds.
        await using var system = await TestSystem.CreateAsync();
        system.MissedHeartbeats = 20;
        await system.StartSchedulerAsync();
        string[] workers = ["w1", "w2", "w3"];
        foreach (var id in workers)
        {
            system.StartWorker(id, capacity: Capacity, TimeSpan.Zero, TimeSpan.FromMilliseconds(20), extraArgs: Executions.LogArgs);
        }

        await system.WaitForWorkersAsync(workers);

        var valid = new List<SubmitTask>();
        var invalid = new List<(string Kind, byte[] Body)>();
        var sends = new List<Task>();
        for (var i = 0; i < InvalidSubmissions + ValidTasks; i++)
        {
            if (random.Next(InvalidSubmissions + ValidTasks) < ValidTasks && valid.Count < ValidTasks)
            {
                var task = Tasks.New(random.Next(-3, 4));
                valid.Add(task);
                sends.Add(system.SubmitAsync(task));
            }
            else
            {
                var bad = i % 600 == 0 ? ("2 MiB payload", HostileInput.Oversized()) : hostile.InvalidSubmission(valid);
                invalid.Add(bad);
                sends.Add(system.PublishAsync(bad.Item2));
            }

            if (i % 4 == 0)
            {
                var (key, body) = hostile.Forgery(valid, workers, Capacity);
                sends.Add(system.PublishEventAsync(key, body));
            }

            if (sends.Count >= 200)
            {
                await Task.WhenAll(sends);
                sends.Clear();
            }
        }

        for (var i = 0; i < Forgeries - (InvalidSubmissions + ValidTasks) / 4; i++)
        {
            var (key, body) = hostile.Forgery(valid, workers, Capacity);
            sends.Add(system.PublishEventAsync(key, body));
        }

        await Task.WhenAll(sends);
        var finals = await system.WaitForFinalStatesAsync(valid.Select(t => t.Id), TimeSpan.FromMinutes(3));
        await Eventually.That(
            async () => await system.CountMessagesAsync(system.Topology.RejectedQueue) >= invalid.Count,
            TimeSpan.FromMinutes(2),
            $"all {invalid.Count} invalid submissions in the rejected queue");

        var rejected = await system.DrainRejectedAsync();
        var counters = await system.GetCountersAsync();
        var executions = Executions.Read(system.WorkerLogs());
        var connectionLosses = system.Scheduler!.ReadLog().Split('\n').Count(l => l.Contains("Broker connection lost", StringComparison.Ordinal));
        var byKind = invalid.GroupBy(b => b.Kind).ToDictionary(g => g.Key, g => g.Count());
        await TestContext.Out.WriteLineAsync(
            $"fuzz summary: {invalid.Count} invalid submissions ({string.Join(", ", byKind.Select(k => $"{k.Value} {k.Key}"))}), " +
            $"{rejected.Count} rejected with a reason, {valid.Count} valid tasks, {finals.Count} completed, " +
            $"{Forgeries} forged worker messages, {counters.GetProperty("fencedResults").GetInt64()} results fenced, " +
            $"{counters.GetProperty("ignoredWorkerMessages").GetInt64()} worker messages ignored, {connectionLosses} broker connection losses, seed {seed}");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(system.Scheduler.HasExited, Is.False, "the scheduler stays up");
            Assert.That(connectionLosses, Is.Zero, "the broker never closed the scheduler's connection");
            Assert.That(valid.Where(t => !finals.ContainsKey(t.Id)), Is.Empty, "every valid task reaches a final state");
            Assert.That(finals.Values.Where(f => f.State != TaskState.Completed).Select(f => $"{f.Id} {f.State} {f.Error}"), Is.Empty,
                "no forged failure result was taken: every valid task completed");
            Assert.That(finals.Values.Where(f => f.Attempts != 1).Select(f => $"{f.Id} attempt {f.Attempts}"), Is.Empty,
                "no forged message made the scheduler requeue a task");
            Assert.That(finals.Values.Where(f => !workers.Contains(f.WorkerId)).Select(f => $"{f.Id} {f.WorkerId}"), Is.Empty,
                "every task was completed by a real worker");
            Assert.That(executions.Where(e => e.Value > 1), Is.Empty, "no attempt ran twice");
            Assert.That(rejected, Has.Count.EqualTo(invalid.Count), "every invalid submission sits in the rejected queue");
            Assert.That(rejected.Where(r => string.IsNullOrWhiteSpace(r.Reason)), Is.Empty, "each with its reason");
            Assert.That(
                rejected.Select(r => Convert.ToBase64String(r.Body)).Order(),
                Is.EqualTo(invalid.Select(b => Convert.ToBase64String(b.Body)).Order()),
                "the rejected queue holds exactly the invalid submissions, byte for byte");
        }
    }
}
