using TaskScheduler.Client.Events;
using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// Free slots are shared between tenant groups by weight, whatever their backlogs; a group's running limit holds.
/// Counts of starts, in the scheduler's order (the events' times), not wall-clock speed.
/// </summary>
[TestFixture]
[Category("integration")]
// Alone, not beside other fixtures: it measures slot shares over time.
[NonParallelizable]
public class FairShareTests
{
    [Test]
    [CancelAfter(300_000)]
    public async Task SmallGroup_StartsAtOnceBesideAFlood_AndBothGetHalfTheSlots(CancellationToken ct)
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        var slow = TimeSpan.FromMilliseconds(100);
        system.StartWorker("w1", capacity: 4, minRun: slow, maxRun: slow);
        system.StartWorker("w2", capacity: 4, minRun: slow, maxRun: slow);
        await system.WaitForWorkersAsync("w1", "w2");
        await using var events = await system.RecordEventsAsync();

        var flood = Enumerable.Range(0, 20_000).Select(i => Tasks.New(payload: $"flood {i} {Guid.NewGuid():N}") with { Group = "big" }).ToList();
        var small = Enumerable.Range(0, 100).Select(i => Tasks.New(payload: $"small {i}") with { Group = "small" }).ToList();
        await system.SubmitAllAsync(flood);
        var floodIds = flood.Select(t => t.Id).ToHashSet();
        await events.WaitUntilAsync(e => e.Count(x => x.State == TaskState.Running && floodIds.Contains(x.TaskId)) >= 16,
            TimeSpan.FromSeconds(60), "the flood to occupy the slots");
        await system.SubmitAllAsync(small);
        var smallIds = small.Select(t => t.Id).ToHashSet();
        await events.WaitForFinalAsync(smallIds, TimeSpan.FromSeconds(180));

        // In the scheduler's order: from the small group's acceptance to its last start.
        var ordered = events.Snapshot().OrderBy(e => e.At).ToList();
        var accepted = ordered.FindIndex(e => smallIds.Contains(e.TaskId) && e.State == TaskState.Pending);
        var starts = ordered.Skip(accepted).Where(e => e.State == TaskState.Running).ToList();
        var firstSmall = starts.FindIndex(e => smallIds.Contains(e.TaskId));
        var lastSmall = starts.FindLastIndex(e => smallIds.Contains(e.TaskId));
        var bothWorking = starts[firstSmall..(lastSmall + 1)];
        var smallShare = (double)bothWorking.Count(e => smallIds.Contains(e.TaskId)) / bothWorking.Count;
        var finals = events.Finals();
        TestContext.Out.WriteLine($"flood starts before the first small start: {firstSmall}; small share: {smallShare:P1} of {bothWorking.Count} starts");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(small.Select(t => finals[t.Id].State), Is.All.EqualTo(TaskState.Completed));
            Assert.That(firstSmall, Is.LessThanOrEqualTo(16), "flood tasks started after the small group was queued, before its first start");
            Assert.That(smallShare, Is.InRange(0.45, 0.55),
                $"the small group's share of {bothWorking.Count} starts while both had work");
            Assert.That(ordered.Count(e => floodIds.Contains(e.TaskId) && e.Kind == TaskEventKind.Completed), Is.LessThan(flood.Count),
                "the flood still had work when the small group finished");
        }
    }

    [Test]
    [CancelAfter(240_000)]
    public async Task GroupRunningLimit_IsNeverExceeded_WhileOtherGroupsUseTheRest(CancellationToken ct)
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync(["--Scheduler:Groups:capped:MaxRunning=2", "--Scheduler:Groups:capped:Weight=5"]);
        var run = TimeSpan.FromMilliseconds(200);
        system.StartWorker("w1", capacity: 4, minRun: run, maxRun: run);
        system.StartWorker("w2", capacity: 4, minRun: run, maxRun: run);
        await system.WaitForWorkersAsync("w1", "w2");

        var capped = Enumerable.Range(0, 40).Select(i => Tasks.New(payload: $"capped {i}") with { Group = "capped" }).ToList();
        var others = Enumerable.Range(0, 40).Select(i => Tasks.New(payload: $"other {i}")).ToList();
        await system.SubmitAllAsync([.. capped, .. others]);
        var finals = await system.WaitForFinalStatesAsync([.. capped.Select(t => t.Id), .. others.Select(t => t.Id)], TimeSpan.FromSeconds(150));

        // The scheduler's own times: running from its assignment until its result was applied.
        var intervals = new List<(DateTimeOffset From, DateTimeOffset To)>();
        foreach (var task in capped)
        {
            var history = (await system.GetHistoryAsync(task.Id))!;
            intervals.Add((history.First(h => h.Event == TaskHistoryEvents.Assigned).At, history.Last(h => h.Event == TaskHistoryEvents.Completed).At));
        }

        var most = MostAtOnce(intervals);
        var othersMost = MostAtOnce(finals.Values.Where(f => others.Exists(o => o.Id == f.Id)).Select(f => (f.StartedAt!.Value, f.FinishedAt!.Value)));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(finals.Values.Select(f => f.State), Is.All.EqualTo(TaskState.Completed));
            Assert.That(most, Is.EqualTo(2), "tasks of the capped group running at once, at most");
            Assert.That(othersMost, Is.GreaterThan(2), "the other slots went to the default group meanwhile");
        }
    }

    /// <summary>The most intervals that overlap; one that ends when another starts does not overlap it.</summary>
    private static int MostAtOnce(IEnumerable<(DateTimeOffset From, DateTimeOffset To)> intervals)
    {
        var changes = intervals.SelectMany(i => new[] { (At: i.From, Delta: 1), (At: i.To, Delta: -1) }).OrderBy(c => c.At).ThenBy(c => c.Delta);
        var most = 0;
        var now = 0;
        foreach (var change in changes)
        {
            now += change.Delta;
            most = Math.Max(most, now);
        }

        return most;
    }
}
