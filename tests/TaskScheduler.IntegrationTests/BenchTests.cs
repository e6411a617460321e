using System.Text.Json;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// A short smoke run of `tasks bench` against a real system: the figures it prints for machines must add up.
/// Benchmarks themselves are not tests (docs/benchmarks.md); this checks only that the tool measures sanely.
/// </summary>
[TestFixture]
[Category("integration")]
// Alone, not beside other fixtures: it measures throughput and latency.
[NonParallelizable]
public class BenchTests
{
    [Test]
    public async Task Bench_WithBatches_SendsOneMessagePerBatch_AndEveryTaskCompletes()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorker("bench-1", capacity: 4);
        await system.WaitForWorkersAsync("bench-1");

        var run = await CliRun.RunAsync(system, null, "bench", "--tasks", "450", "--batch", "100", "--run-time", "0ms", "--ceiling", "1s", "--json");

        Assert.That(run.ExitCode, Is.Zero, run.Error);
        using var report = JsonDocument.Parse(run.Out);
        var root = report.RootElement;
        var producer = root.GetProperty("brokerTraffic").GetProperty("byRole").GetProperty("producer");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(root.GetProperty("setup").GetProperty("batch").GetInt32(), Is.EqualTo(100));
            Assert.That(root.GetProperty("tasks").GetProperty("submitted").GetInt64(), Is.EqualTo(450));
            Assert.That(root.GetProperty("tasks").GetProperty("completed").GetInt64(), Is.EqualTo(450));
            Assert.That(producer.GetProperty("publishedPerTask").GetDouble(), Is.EqualTo(5 / 450.0).Within(0.001), "five messages: four of 100, one of 50");
            Assert.That(root.GetProperty("throughput").GetProperty("completedToCeiling").GetDouble(), Is.GreaterThan(0));
        }
    }

    [Test]
    public async Task Bench_ReportsSaneFigures_ForABurstAndForAnOpenLoopRun()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorker("bench-1", capacity: 4, maxRun: TimeSpan.FromSeconds(5));
        system.StartWorker("bench-2", capacity: 4, maxRun: TimeSpan.FromSeconds(5));
        await system.WaitForWorkersAsync("bench-1", "bench-2");

        // The run time hint overrides the workers' own 0-5 s, so the burst is quick.
        var burst = await CliRun.RunAsync(system, null, "bench", "--tasks", "300", "--run-time", "0ms..2ms", "--priorities", "0:3,5:1", "--ceiling", "1s", "--json");
        var openLoop = await CliRun.RunAsync(system, null, "bench", "--duration", "2s", "--rate", "40", "--run-time", "1ms", "--ceiling", "0", "--management", "off", "--json");

        Assert.That(burst.ExitCode, Is.Zero, burst.Error);
        using var report = JsonDocument.Parse(burst.Out);
        var root = report.RootElement;
        var tasks = root.GetProperty("tasks");
        var latency = root.GetProperty("latencyMs");
        var perWorker = root.GetProperty("workers").GetProperty("tasksPerWorker").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(tasks.GetProperty("submitted").GetInt64(), Is.EqualTo(300));
            Assert.That(tasks.GetProperty("completed").GetInt64(), Is.EqualTo(300));
            Assert.That(tasks.GetProperty("unfinished").GetInt64(), Is.Zero);
            foreach (var name in new[] { "submitToAccepted", "submitToStart", "submitToDone" })
            {
                var l = latency.GetProperty(name);
                var (p50, p90, p99, max) = (l.GetProperty("p50").GetDouble(), l.GetProperty("p90").GetDouble(), l.GetProperty("p99").GetDouble(), l.GetProperty("max").GetDouble());
                Assert.That(p50, Is.GreaterThanOrEqualTo(0).And.LessThanOrEqualTo(p90), name);
                Assert.That(p90, Is.LessThanOrEqualTo(p99), name);
                Assert.That(p99, Is.LessThanOrEqualTo(max), name);
                Assert.That(l.GetProperty("count").GetInt32(), Is.EqualTo(300), name);
            }

            Assert.That(latency.GetProperty("submitToAccepted").GetProperty("max").GetDouble(),
                Is.LessThanOrEqualTo(latency.GetProperty("submitToDone").GetProperty("max").GetDouble()), "a task is accepted before it is done");
            Assert.That(root.GetProperty("ceiling").GetProperty("oneHopPerSecond").GetDouble(), Is.GreaterThan(0));
            Assert.That(root.GetProperty("throughput").GetProperty("completedPerSecond").GetDouble(), Is.GreaterThan(0));
            Assert.That(root.GetProperty("throughput").GetProperty("completedToCeiling").GetDouble(), Is.GreaterThan(0));
            Assert.That(perWorker.Keys, Is.EquivalentTo(new[] { "bench-1", "bench-2" }));
            Assert.That(perWorker.Values.Sum(), Is.EqualTo(300));
            Assert.That(root.GetProperty("workers").GetProperty("utilization").GetDouble(), Is.InRange(0.0, 1.0));
            Assert.That(root.GetProperty("schedulerMemory").GetProperty("peakDuringRunMiB").GetDouble(), Is.GreaterThan(0));

            // The broker's own counters: the bench published each submission once; the scheduler published at
            // least the assignments and events, and received each submission.
            var traffic = root.GetProperty("brokerTraffic");
            var byRole = traffic.GetProperty("byRole");
            Assert.That(byRole.GetProperty("producer").GetProperty("publishedPerTask").GetDouble(), Is.EqualTo(1.0), traffic.ToString());
            Assert.That(byRole.GetProperty("scheduler").GetProperty("publishedPerTask").GetDouble(), Is.GreaterThan(1.0), traffic.ToString());
            Assert.That(byRole.GetProperty("scheduler").GetProperty("deliveredPerTask").GetDouble(), Is.GreaterThanOrEqualTo(1.0), traffic.ToString());
            // Bytes are not asserted: the broker samples connections' byte counters apart from channels' message
            // counters, and a fresh-clone CI run once read 6.8 bytes per task after the run's 6 s wait.

            // The scheduler's stages over the run, from its /metrics: every task went through each of these.
            var stages = root.GetProperty("stageLatencyMs").EnumerateArray().ToDictionary(s => s.GetProperty("stage").GetString()!);
            Assert.That(stages.Keys, Is.SupersetOf(new[] { "consume", "group_wait", "apply", "commit", "fsync", "confirm", "worker_start" }));
            Assert.That(stages["worker_start"].GetProperty("count").GetInt64(), Is.GreaterThanOrEqualTo(300), "one per attempt");
            foreach (var (name, stage) in stages)
            {
                Assert.That(stage.GetProperty("p50").GetDouble(), Is.GreaterThanOrEqualTo(0).And.LessThanOrEqualTo(stage.GetProperty("p99").GetDouble()), name);
            }
        }

        Assert.That(openLoop.ExitCode, Is.Zero, openLoop.Error);
        using var open = JsonDocument.Parse(openLoop.Out);
        var openTasks = open.RootElement.GetProperty("tasks");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(openTasks.GetProperty("submitted").GetInt64(), Is.GreaterThan(0));
            Assert.That(openTasks.GetProperty("completed").GetInt64(), Is.EqualTo(openTasks.GetProperty("submitted").GetInt64()));
            Assert.That(open.RootElement.GetProperty("ceiling").ValueKind, Is.EqualTo(JsonValueKind.Null), "--ceiling 0 skips the broker measurement");
            Assert.That(open.RootElement.GetProperty("brokerTraffic").ValueKind, Is.EqualTo(JsonValueKind.Null), "--management off skips the counters");
            Assert.That(open.RootElement.GetProperty("setup").GetProperty("rate").GetDouble(), Is.EqualTo(40));
        }
    }
}
