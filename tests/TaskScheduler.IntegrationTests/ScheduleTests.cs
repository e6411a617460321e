using System.Net;
using System.Net.Http.Json;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// Recurring tasks on the real scheduler: every occurrence of a schedule firing every two seconds runs exactly once
/// across a kill -9, and occurrences missed during a longer stop follow the schedule's misfire policy.
/// </summary>
[TestFixture]
[Category("integration")]
// Alone, not beside other fixtures: it fires every two seconds against misfire thresholds of seconds, across a kill -9.
[NonParallelizable]
public class ScheduleTests
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(2);

    [Test]
    [CancelAfter(240_000)]
    public async Task EveryOccurrence_RunsExactlyOnce_AcrossASchedulerKill9AndRestart(CancellationToken ct)
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync(["--Scheduler:MisfireThreshold=00:01:00"]);
        system.StartWorker("w1", capacity: 4);
        await system.WaitForWorkersAsync("w1");
        await using var events = await system.RecordEventsAsync();

        var cli = await CliRun.RunAsync(system, null, "schedule", "add", "tick", "tick", "--cron", "*/2 * * * * *", "--priority", "3");
        Assert.That(cli.ExitCode, Is.Zero, cli.Error);
        var created = await GetAsync(system, "tick");
        await WaitForFiresAsync(system, "tick", 3);

        system.Scheduler!.Kill9();
        await system.Scheduler.WaitForExitAsync(TimeSpan.FromSeconds(10));
        // Down for a period on purpose: the occurrences due meanwhile are what the restart must run, once each.
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        await system.StartSchedulerAsync(["--Scheduler:MisfireThreshold=00:01:00"]);
        var restarted = DateTimeOffset.UtcNow;
        await WaitUntilAsync(system, "tick", s => s.LastFireAt >= restarted + (3 * Every), "three more fires after the restart");

        var paused = await CliRun.RunAsync(system, null, "schedule", "pause", "tick");
        Assert.That(paused.ExitCode, Is.Zero, paused.Error);
        var last = (await GetAsync(system, "tick")).LastFireAt!.Value;
        var listed = await CliRun.RunAsync(system, null, "schedule", "list");
        var removed = await CliRun.RunAsync(system, null, "schedule", "remove", "tick");
        using var gone = await system.Api.GetAsync(new Uri("/api/schedules/tick", UriKind.Relative), ct);
        var expected = FireTimes(created.CreatedAt, last).ToDictionary(t => ScheduleOccurrence.TaskId(created.Uid, t));
        var finals = await system.WaitForFinalStatesAsync(expected.Keys, TimeSpan.FromSeconds(60));
        var seen = events.Snapshot().Select(e => e.TaskId).ToHashSet();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(listed.Out, Does.Contain("tick").And.Contain("*/2 * * * * *").And.Contain("paused"));
            Assert.That(removed.ExitCode, Is.Zero, removed.Error);
            Assert.That(gone.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(expected, Has.Count.GreaterThanOrEqualTo(8));
            Assert.That(expected.Keys.Where(id => !finals.ContainsKey(id)).Select(id => expected[id]), Is.Empty, "occurrences without a task");
            Assert.That(finals.Values.Select(f => f.State), Is.All.EqualTo(TaskState.Completed));
            Assert.That(finals.Values.Select(f => f.Attempts), Is.All.EqualTo(1));
            Assert.That(finals.Values.Select(f => f.Priority), Is.All.EqualTo(3));
            Assert.That(seen.Where(id => !expected.ContainsKey(id)), Is.Empty, "tasks that are no occurrence of the schedule");
        }
    }

    [Test]
    [CancelAfter(240_000)]
    public async Task OccurrencesMissedInALongerStop_RunOnce_OrAreSkipped_AsEachScheduleSays(CancellationToken ct)
    {
        string[] args = ["--Scheduler:MisfireThreshold=00:00:03"];
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync(args);
        system.StartWorker("w1", capacity: 4);
        await system.WaitForWorkersAsync("w1");

        await using var client = system.CreateClient();
        Assert.That(await client.SetScheduleAsync("once", "*/2 * * * * *", Tasks.New(payload: "once"), cancellationToken: ct), Is.EqualTo("created"));
        Assert.That(await client.SetScheduleAsync("skip", "*/2 * * * * *", Tasks.New(payload: "skip"), skipMisfires: true, cancellationToken: ct), Is.EqualTo("created"));
        await WaitForFiresAsync(system, "once", 2);
        await WaitForFiresAsync(system, "skip", 2);

        system.Scheduler!.Kill9();
        await system.Scheduler.WaitForExitAsync(TimeSpan.FromSeconds(10));
        // Down on purpose for longer than the misfire threshold: the occurrences missed are what the policies decide.
        await Task.Delay(TimeSpan.FromSeconds(12), ct);
        var restarting = DateTimeOffset.UtcNow;
        await system.StartSchedulerAsync(args);
        await WaitUntilAsync(system, "once", s => s.LastFireAt >= restarting + (4 * Every), "fires after the restart");
        await WaitUntilAsync(system, "skip", s => s.LastFireAt >= restarting + (4 * Every), "fires after the restart");
        var schedules = (await client.GetSchedulesAsync(ct)).ToDictionary(s => s.Name);
        Assert.That(await client.PauseScheduleAsync("once", cancellationToken: ct), Is.True);
        Assert.That(await client.PauseScheduleAsync("skip", cancellationToken: ct), Is.True);

        // Submitted after the restart for a fire time long before it: what the misfire policy made of the stop.
        var catchUp = new Dictionary<string, int>();
        foreach (var s in schedules.Values)
        {
            var count = 0;
            foreach (var t in FireTimes(s.CreatedAt, s.LastFireAt!.Value))
            {
                if (await system.GetTaskAsync(ScheduleOccurrence.TaskId(s.Uid, t)) is { } task && task.SubmittedAt >= restarting && t < restarting - TimeSpan.FromSeconds(3))
                {
                    count++;
                }
            }

            catchUp[s.Name] = count;
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(catchUp["once"], Is.EqualTo(1), "run-once: one task for the occurrences missed");
            Assert.That(catchUp["skip"], Is.Zero, "skip: none");
            Assert.That(schedules["once"].Misfire, Is.EqualTo("run-once"));
            Assert.That(schedules["skip"].Misfire, Is.EqualTo("skip"));
        }
    }

    private static IEnumerable<DateTimeOffset> FireTimes(DateTimeOffset createdAt, DateTimeOffset last)
    {
        var first = new DateTimeOffset(createdAt.UtcTicks - (createdAt.UtcTicks % Every.Ticks), TimeSpan.Zero) + Every;
        for (var t = first; t <= last; t += Every)
        {
            yield return t;
        }
    }

    private static async Task<ScheduleView> GetAsync(TestSystem system, string name)
    {
        using var response = await system.Api.GetAsync(new Uri($"/api/schedules/{name}", UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return (await response.Content.ReadFromJsonAsync(WireJson.Default.ScheduleView))!;
    }

    private static Task WaitForFiresAsync(TestSystem system, string name, int fires) =>
        WaitUntilAsync(system, name, s => s.Fired >= fires, $"{fires} fires");

    private static Task WaitUntilAsync(TestSystem system, string name, Func<ScheduleView, bool> condition, string what) =>
        Eventually.That(async () => condition(await GetAsync(system, name)), TimeSpan.FromMinutes(2), $"schedule {name}: {what}");
}
