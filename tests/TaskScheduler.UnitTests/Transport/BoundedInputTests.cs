using System.Text;
using System.Text.Json;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Liveness;
using TaskScheduler.Scheduler.Core.Queueing;
using TaskScheduler.Scheduler.Transport;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.UnitTests;

/// <summary>Texts, histories, headers, graphs and times from outside are bounded where they enter.</summary>
public class BoundedInputTests
{
    [Test]
    public void Truncate_KeepsTheStart_SaysHowLongTheTextWas_AndNeverExceedsTheLimit()
    {
        var text = "start " + new string('x', 50_000);

        var cut = BoundedText.Truncate(text, 1000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(cut, Does.StartWith("start xxx"));
            Assert.That(cut, Does.EndWith("(truncated; 50,006 characters in all)"));
            Assert.That(cut, Has.Length.LessThanOrEqualTo(1000));
            Assert.That(BoundedText.Truncate("short", 1000), Is.EqualTo("short"));
        }
    }

    [Test]
    public void Truncate_NeverSplitsASurrogatePair()
    {
        var text = string.Concat(Enumerable.Repeat("😀", 1000));

        var cut = BoundedText.Truncate(text, 101);

        Assert.That(() => new UTF8Encoding(false, throwOnInvalidBytes: true).GetBytes(cut), Throws.Nothing);
    }

    [TestCase(4, "ab…")]
    [TestCase(5, "ab😀…")]
    [TestCase(6, "ab😀c…")]
    [TestCase(9, "ab😀cdefg")]
    public void Shorten_EndsWithAnEllipsis_WithinTheLimit_NeverSplittingASurrogatePair(int max, string expected)
    {
        var shortened = BoundedText.Shorten("ab😀cdefg", max);

        Assert.That(shortened, Is.EqualTo(expected));
        Assert.That(shortened, Has.Length.LessThanOrEqualTo(max));
    }

    [Test]
    public void NameFew_NamesThreeAndCountsTheRest()
    {
        Assert.That(BoundedText.NameFew(Enumerable.Range(1, 3000).ToList()), Is.EqualTo("1, 2, 3 and 2,997 more"));
        Assert.That(BoundedText.NameFew(new[] { 1, 2 }), Is.EqualTo("1, 2"));
    }

    [Test]
    public void History_KeepsItsFirstAndLatestSteps_AndCountsWhatWasDropped()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var history = new List<TaskHistoryEntry>();
        for (var i = 0; i < 1000; i++)
        {
            TaskHistory.Append(history, new TaskHistoryEntry(start.AddSeconds(i), TaskHistoryEvents.Requeued, "w1", i, $"step {i} " + new string('d', 5000)));
        }

        var marker = history[Limits.HistoryHead];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(history, Has.Count.EqualTo(Limits.HistoryHead + 1 + Limits.HistoryTail));
            Assert.That(history.Take(Limits.HistoryHead).Select(h => h.Attempt), Is.EqualTo(Enumerable.Range(0, Limits.HistoryHead)));
            Assert.That(history.TakeLast(Limits.HistoryTail).Select(h => h.Attempt), Is.EqualTo(Enumerable.Range(1000 - Limits.HistoryTail, Limits.HistoryTail)));
            Assert.That(marker.Event, Is.EqualTo(TaskHistoryEvents.Truncated));
            Assert.That(TaskHistory.DroppedBy(marker), Is.EqualTo(1000 - Limits.HistoryHead - Limits.HistoryTail));
            Assert.That(history.Max(h => h.Detail!.Length), Is.LessThanOrEqualTo(Limits.MaxReasonChars));
        }
    }

    [Test]
    public void CycleOfThreeThousandTasks_IsNamedByItsStart_InAShortReason()
    {
        var ids = Enumerable.Range(0, 3000).Select(_ => Guid.NewGuid()).ToList();
        var tasks = ids.Select((id, i) => Task(id, ids[(i + 1) % ids.Count])).ToList();

        Assert.That(GraphCheck.TryOrder(tasks, out _, out var cycle), Is.False);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(cycle, Does.StartWith("dependency cycle: "));
            Assert.That(cycle, Does.Contain("(3,000 tasks in the cycle)"));
            Assert.That(cycle, Has.Length.LessThan(300));
            Assert.That(ids.Count(id => cycle!.Contains(id.ToString(), StringComparison.Ordinal)), Is.EqualTo(Limits.MaxNamedIds));
        }
    }

    [Test]
    public void GraphLargerThanMaxGraphTasks_IsRefusedWithAReasonNamingTheLimit()
    {
        var core = new SchedulerCore(LivenessOptions.Default, TimeProvider.System) { MaxGraphTasks = 100 };
        var tasks = Enumerable.Range(0, 101).Select(_ => Task(Guid.NewGuid())).ToList();

        var verdict = core.Submit(tasks, new Dictionary<Guid, TaskSnapshot>()).Value;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(verdict.Outcome, Is.EqualTo(SubmitOutcome.Invalid));
            Assert.That(verdict.Reason, Is.EqualTo("the graph holds 101 tasks; a graph holds at most 100 (Scheduler:MaxGraphTasks)"));
            Assert.That(core.ActiveCount, Is.Zero);
            Assert.That(core.Submit(tasks.Take(100).ToList(), new Dictionary<Guid, TaskSnapshot>()).Value, Is.EqualTo(SubmitVerdict.Accepted));
        }
    }

    [Test]
    public void RejectionHeaders_KeepSmallHeaders_DropHugeOnes_AndBoundTheReason()
    {
        var original = new Dictionary<string, object?>
        {
            ["traceparent"] = Encoding.UTF8.GetBytes("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
            ["huge"] = new byte[120 * 1024],
            ["nested"] = new Dictionary<string, object?> { ["list"] = new List<object?> { new byte[100 * 1024] } },
            ["n"] = 42,
        };

        var headers = RejectionHeaders.For(original, "reason " + new string('r', 200_000));

        var size = headers.Sum(h => RejectionHeaders.SizeOf(h.Key, h.Value));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(headers.Keys, Is.EquivalentTo(new[] { "traceparent", "n", RejectionHeaders.DroppedHeader, Topology.RejectReasonHeader }));
            Assert.That(headers[RejectionHeaders.DroppedHeader], Does.StartWith("2 headers"));
            Assert.That((string)headers[Topology.RejectReasonHeader]!, Has.Length.LessThanOrEqualTo(Limits.MaxReasonChars).And.StartWith("reason rrr"));
            Assert.That(size, Is.LessThan(Limits.MaxCopiedHeaderBytes + 2 * 1024), "far below the broker's 128 KiB frame");
        }
    }

    [Test]
    public void RejectionHeaders_OfManySmallHeaders_StayWithinTheBudget()
    {
        var original = Enumerable.Range(0, 5000).ToDictionary(i => $"h{i}", object? (i) => $"value {i}");

        var headers = RejectionHeaders.For(original, "bad");

        Assert.That(headers.Sum(h => RejectionHeaders.SizeOf(h.Key, h.Value)), Is.LessThan(Limits.MaxCopiedHeaderBytes + 2 * 1024));
    }

    [Test]
    public void WorkerResult_WithANineMebibyteError_IsReadWithTheErrorCut()
    {
        var result = new TaskFinished("w1", Guid.NewGuid(), 1, TaskOutcome.Failed, new string('e', 9 * 1024 * 1024), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        var body = JsonSerializer.SerializeToUtf8Bytes(new TasksFinished("w1", [result]), WireJson.Default.TasksFinished);

        var read = ((TasksFinished)WorkerEventReader.Read(Topology.WorkerEventKey("w1", Topology.WorkerEvents.Results), body)).Results.Single();

        Assert.That(read.Error, Has.Length.LessThanOrEqualTo(Limits.MaxErrorChars).And.Contain("truncated"));
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(int.MinValue)]
    public void WorkerResult_ForAnAttemptBelowOne_IsRefused(int attempt)
    {
        var result = new TaskFinished("w1", Guid.NewGuid(), attempt, TaskOutcome.Completed, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        var body = JsonSerializer.SerializeToUtf8Bytes(new TasksFinished("w1", [result]), WireJson.Default.TasksFinished);

        Assert.That(() => WorkerEventReader.Read(Topology.WorkerEventKey("w1", Topology.WorkerEvents.Results), body), Throws.InstanceOf<FormatException>());
    }

    [Test]
    public void Heartbeat_ListingMoreAttemptsThanAnyWorkerRuns_IsRefused()
    {
        var running = Enumerable.Range(0, Limits.MaxHeartbeatAttempts + 1).Select(_ => new RunningTask(Guid.NewGuid(), 1)).ToList();
        var body = JsonSerializer.SerializeToUtf8Bytes(new WorkerHeartbeat("w1", 1, running, false, DateTimeOffset.UnixEpoch), WireJson.Default.WorkerHeartbeat);

        Assert.That(() => WorkerEventReader.Read(Topology.WorkerEventKey("w1", Topology.WorkerEvents.Heartbeat), body), Throws.InstanceOf<FormatException>());
    }

    [Test]
    public void TimeArithmetic_Saturates_InsteadOfOverflowing()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(TimeMath.Minus(TimeSpan.MinValue, TimeSpan.FromDays(1)), Is.EqualTo(TimeSpan.MinValue));
            Assert.That(TimeMath.Plus(TimeSpan.MaxValue, TimeSpan.MaxValue), Is.EqualTo(TimeSpan.MaxValue));
            Assert.That(TimeMath.Plus(DateTimeOffset.MaxValue, TimeSpan.FromDays(1)), Is.EqualTo(DateTimeOffset.MaxValue));
            Assert.That(TimeMath.Plus(DateTimeOffset.MinValue, -TimeSpan.FromDays(1)), Is.EqualTo(DateTimeOffset.MinValue));
            Assert.That(WorkerReports.Duration(TimeSpan.MaxValue), Is.EqualTo(Limits.MaxReportedDuration));
            Assert.That(WorkerReports.Duration(TimeSpan.MinValue), Is.EqualTo(TimeSpan.Zero));
        }
    }

    private static ParsedSubmission Task(Guid id, params Guid[] dependsOn) =>
        new(id, "p", 0, SubmissionParser.ContentHash("p", dependsOn, 0), 1) { DependsOn = dependsOn };
}
