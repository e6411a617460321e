using System.Net;
using System.Net.Http.Json;
using TaskScheduler.Client.Events;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// A full disk is an ordinary event: the scheduler whose journal cannot write stops accepting, says why, keeps
/// serving status, and resumes by itself once space returns, losing nothing and running nothing twice.
/// </summary>
[TestFixture]
[Category("integration")]
// Alone, not beside other fixtures: it fills a disk of its own.
[NonParallelizable]
public class DiskFullTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Test]
    public async Task JournalDiskFillsUnderLoad_SchedulerHoldsSubmissionsAndSaysWhy_ThenResumes_AndEveryTaskRunsOnce()
    {
        await using var system = await TestSystem.CreateAsync();
        await using var disk = await MountAsync(system);
        await system.StartSchedulerAsync([JournalOn(disk)]);
        system.StartWorker("w1", capacity: 8, extraArgs: Executions.LogArgs);
        await system.WaitForWorkersAsync("w1");
        await using var events = await system.RecordEventsAsync();
        var before = Tasks.Many(30, _ => 0);
        await system.SubmitAllAsync(before);
        await events.WaitForFinalAsync([.. before.Select(t => t.Id)], Patience);

        // Under load: a producer keeps submitting (payloads of 20 KB) while the disk fills and while it stays full, and
        // four long tasks are running, so their results arrive while nothing can be journaled.
        var running = Tasks.Many(4, _ => 0).Select(t => t with { Payload = $"sim:run=4000ms;{t.Payload}" }).ToList();
        await system.SubmitAllAsync(running);
        await events.WaitUntilAsync(
            seen => running.All(t => seen.Any(e => e.TaskId == t.Id && e.Kind == TaskEventKind.Running)), Patience, "the long tasks to start");
        var submitted = new List<SubmitTask>();
        using var producing = new CancellationTokenSource();
        var producer = ProduceAsync(system, submitted, producing.Token);
        // The disk fills under a flow the scheduler is taking: it has accepted the producer's first task.
        await Eventually.That(
            async () => FirstOf(submitted) is { } first && await system.GetTaskAsync(first.Id) is not null,
            Patience,
            "the scheduler to accept the producer's first task");
        var filled = disk.Fill();
        var outage = await WaitForReadinessAsync(system, ready: false);

        // Held, not lost: more submissions arrive and wait in the broker, while the scheduler answers what it can.
        var waiting = await WaitForWaitingSubmissionsAsync(system);
        using var refused = await system.Api.PostAsJsonAsync(new Uri("/api/tasks", UriKind.Relative), new { payload = "refused while full" });
        var refusal = await refused.Content.ReadAsStringAsync();
        var status = await system.GetTaskAsync(before[0].Id);
        var metrics = await system.Api.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var dashboard = await system.Api.GetStringAsync(new Uri("/api/dashboard", UriKind.Relative));
        var exitedWhileFull = system.Scheduler!.HasExited;

        disk.Free();
        await WaitForReadinessAsync(system, ready: true);
        await producing.CancelAsync();
        await producer;
        var after = Tasks.Many(30, _ => 0);
        await system.SubmitAllAsync(after);
        List<Guid> all = [.. before.Select(t => t.Id), .. running.Select(t => t.Id), .. submitted.Select(t => t.Id), .. after.Select(t => t.Id)];
        await events.WaitForFinalAsync(all, Patience);

        var finals = events.Finals();
        var completions = events.Snapshot().Where(e => e.Kind == TaskEventKind.Completed).GroupBy(e => e.TaskId).ToDictionary(g => g.Key, g => g.Count());
        var executions = Executions.Read(system.WorkerLogs());
        var counters = await system.GetCountersAsync();
        var log = system.Scheduler.ReadLog();
        await TestContext.Out.WriteLineAsync(
            $"filled {filled:N0} bytes; {submitted.Count} tasks submitted under load, {waiting} waiting in the broker while full; " +
            $"readiness said: {outage}; HTTP said: {(int)refused.StatusCode} {refusal}");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitedWhileFull, Is.False, "no crash");
            Assert.That(outage, Does.Contain("the journal cannot write").And.Contain("No space left on device"), "/health/ready says why");
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(refused.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), "as problem details, like every API error");
            Assert.That(ProblemDetail(refusal), Does.Contain("the journal cannot write"), "HTTP says why");
            Assert.That(waiting, Is.GreaterThanOrEqualTo(100), "submissions wait in the broker, neither acknowledged nor rejected");
            Assert.That(status?.State, Is.EqualTo(TaskState.Completed), "status is still served");
            Assert.That(metrics, Does.Contain("taskscheduler_journal_unavailable 1"));
            Assert.That(dashboard, Does.Contain("\"journalProblem\":\"the journal cannot write"), "the dashboard and tasks top say why");
            Assert.That(log, Does.Contain("The journal cannot write").And.Contain("The journal writes again"));
            Assert.That(all.Where(id => finals[id].State != TaskState.Completed), Is.Empty, "every task accepted before, during and after completes");
            Assert.That(all.Where(id => completions.GetValueOrDefault(id) != 1), Is.Empty, "each exactly once");
            Assert.That(executions.Where(e => e.Value > 1).Select(e => e.Key), Is.Empty, "no attempt ran twice");
            Assert.That(all.Where(id => finals[id].Attempt != 1), Is.Empty, "and none needed a second attempt");
            Assert.That(counters.GetProperty("workersDeclaredDead").GetInt64(), Is.Zero, "the pause was not taken for dead workers");
            Assert.That(counters.GetProperty("rejected").GetInt64(), Is.Zero, "nothing was refused for good");
            Assert.That(system.Scheduler.HasExited, Is.False);
        }
    }

    [Test]
    public async Task SchedulerKilledWhileTheDiskIsFull_StartsAgainWithoutCrashing_AndResumesOnceSpaceReturns()
    {
        await using var system = await TestSystem.CreateAsync();
        await using var disk = await MountAsync(system);
        string[] journal = [JournalOn(disk)];
        await system.StartSchedulerAsync(journal);
        system.StartWorker("w1", capacity: 4);
        await system.WaitForWorkersAsync("w1");
        await using var events = await system.RecordEventsAsync();
        var before = Tasks.Many(20, _ => 0);
        await system.SubmitAllAsync(before);
        await events.WaitForFinalAsync([.. before.Select(t => t.Id)], Patience);

        disk.Fill();
        var held = Tasks.Many(20, _ => 0).Select(t => t with { Payload = $"{new string('x', 20_000)} {t.Payload}" }).ToList();
        await system.SubmitAllAsync(held);
        await WaitForReadinessAsync(system, ready: false);
        system.Scheduler!.Kill9();
        await system.Scheduler.WaitForExitAsync(TimeSpan.FromSeconds(30));

        // A supervisor starts it again on the full disk: it must come up (alive, not ready) rather than exit.
        var restarted = system.Start("scheduler-again", Repository.Program("Scheduler", "TaskScheduler.Scheduler.dll"),
        [
            "--urls", system.SchedulerUrl, $"--Broker:Url={system.BrokerUrl}", $"--Broker:Prefix={system.Prefix}",
            $"--Scheduler:HeartbeatInterval={system.HeartbeatInterval}", $"--Scheduler:MissedHeartbeats={system.MissedHeartbeats}", .. journal,
        ]);
        var live = await WaitForLiveAsync(system, restarted);
        var exitedWhileFull = restarted.HasExited;

        // Opening may give back what the killed process had half written: fill again, and submit more.
        disk.Fill();
        var more = Tasks.Many(20, _ => 0).Select(t => t with { Payload = $"{new string('x', 20_000)} {t.Payload}" }).ToList();
        await system.SubmitAllAsync(more);
        var outage = await WaitForReadinessAsync(system, ready: false);
        var status = await system.GetTaskAsync(before[0].Id);

        disk.Free();
        await WaitForReadinessAsync(system, ready: true);
        List<Guid> waited = [.. held.Select(t => t.Id), .. more.Select(t => t.Id)];
        await events.WaitForFinalAsync(waited, Patience);
        var finals = events.Finals();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitedWhileFull, Is.False, $"no crash on a full disk:\n{restarted.ReadLog()}");
            Assert.That(live, Is.True, "alive while the disk is full");
            Assert.That(status?.State, Is.EqualTo(TaskState.Completed), "and serving status");
            Assert.That(outage, Does.Contain("No space left on device"), "the restarted scheduler meets the full disk too");
            Assert.That(restarted.ReadLog(), Does.Contain("The journal writes again"), "and rides it out");
            Assert.That(waited.Select(id => finals[id].State), Is.All.EqualTo(TaskState.Completed), "what waited in the broker runs once space returns");
        }
    }

    /// <summary>A 16 MiB file system of the test's own, for the journal.</summary>
    private static async Task<SmallDisk> MountAsync(TestSystem system)
    {
        var disk = await SmallDisk.MountAsync(Path.Combine(system.Directory, "small-disk"), megabytes: 16);
        if (disk is null)
        {
            Assert.Ignore("mounting a tmpfs needs root");
        }

        return disk!;
    }

    private static string JournalOn(SmallDisk disk) => $"--Journal:Path={Path.Combine(disk.Path, "journal.db")}";

    private static SubmitTask? FirstOf(List<SubmitTask> submitted)
    {
        lock (submitted)
        {
            return submitted.FirstOrDefault();
        }
    }

    /// <summary>Waits until /health/live answers 200 (true) or the scheduler exits (false).</summary>
    private static Task<bool> WaitForLiveAsync(TestSystem system, ChildProcess scheduler) =>
        Eventually.Returns(
            async () =>
            {
                try
                {
                    using var response = await system.Api.GetAsync(new Uri("/health/live", UriKind.Relative));
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false; // Not listening yet.
                }
            },
            live => live || scheduler.HasExited,
            Patience,
            "the restarted scheduler to be live, or to exit");

    /// <summary>One submission every 20 ms until cancelled, each recorded once the broker confirmed it.</summary>
    private static async Task ProduceAsync(TestSystem system, List<SubmitTask> submitted, CancellationToken ct)
    {
        var payload = new string('x', 20_000);
        while (!ct.IsCancellationRequested)
        {
            var task = Tasks.New(payload: $"{payload} {Guid.NewGuid():N}");
            await system.SubmitAsync(task);
            lock (submitted)
            {
                submitted.Add(task);
            }

            try
            {
                await Task.Delay(20, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Polls /health/ready until it is 200 (<paramref name="ready"/>), or until it fails because the journal cannot
    /// write; returns what it said last.
    /// </summary>
    private static async Task<string> WaitForReadinessAsync(TestSystem system, bool ready)
    {
        var answer = await Eventually.Returns(
            async () =>
            {
                using var response = await system.Api.GetAsync(new Uri("/health/ready", UriKind.Relative));
                return (response.StatusCode, Said: await response.Content.ReadAsStringAsync());
            },
            answer => ready ? answer.StatusCode == HttpStatusCode.OK : answer.Said.Contains("the journal cannot write", StringComparison.Ordinal),
            Patience,
            $"readiness {(ready ? "back" : "lost")}",
            answer => answer.Said);
        return answer.Said;
    }

    /// <summary>
    /// Waits until 100 submissions queue up in the broker (the scheduler no longer takes them): at one per 20 ms, the
    /// disk stays full for at least two seconds, a whole liveness window of the test system. Returns how many.
    /// </summary>
    private static Task<uint> WaitForWaitingSubmissionsAsync(TestSystem system) =>
        Eventually.Returns(
            () => system.CountMessagesAsync(system.Topology.SubmitQueue), waiting => waiting >= 100, Patience, "100 submissions waiting in the broker");

    /// <summary>The <c>detail</c> of an RFC 9457 problem-details body; empty when the body is not one.</summary>
    private static string ProblemDetail(string body)
    {
        try
        {
            using var problem = System.Text.Json.JsonDocument.Parse(body);
            return problem.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() ?? "" : "";
        }
        catch (System.Text.Json.JsonException)
        {
            return "";
        }
    }
}
