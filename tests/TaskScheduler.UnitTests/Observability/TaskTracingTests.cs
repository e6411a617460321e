using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Contracts.Observability;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Liveness;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Observability;
using TaskScheduler.Scheduler.Wire;
using TaskScheduler.Worker.Telemetry;

namespace TaskScheduler.UnitTests.Observability;

/// <summary>
/// A task's spans, from a producer's submit through the scheduler's acceptance and assignment, the worker's execution
/// and the journaled result: one trace, each span under the one before, all naming the task. The AMQP headers are
/// what the transports put on the messages.
/// </summary>
public class TaskTracingTests
{
    private readonly List<Activity> _spans = [];
    private ActivityListener _listener = null!;
    private FakeTimeProvider _clock = null!;
    private RecordingCore _core = null!;
    private SchedulerTelemetry _telemetry = null!;
    private TaskTracing _tracing = null!;

    [SetUp]
    public void SetUp()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is TelemetryNames.Scheduler or TelemetryNames.Worker or "producer",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (_spans)
                {
                    _spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
        _clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        _core = new RecordingCore(new SchedulerCore(new LivenessOptions(TimeSpan.FromSeconds(1), 3), _clock));
        var state = new PublishedView();
        var series = new TimeSeries(TimeSpan.FromSeconds(1));
        _tracing = new TaskTracing();
        _telemetry = new SchedulerTelemetry(new SchedulerMetrics(state, series, new JournalStatus()), series, new RecentFailures(), _tracing, _clock);
    }

    [TearDown]
    public void TearDown()
    {
        _listener.Dispose();
        _tracing.Dispose();
    }

    [Test]
    public void Spans_FollowATaskFromTheProducerToItsResult_InOneTrace()
    {
        using var producerSource = new ActivitySource("producer");
        var producer = producerSource.StartActivity("publish order", ActivityKind.Producer)!;
        var submitHeaders = new Dictionary<string, object?>();
        TraceHeaders.Inject(producer, submitHeaders);
        producer.Stop();
        // RabbitMQ.Client hands string headers to the consumer as UTF-8 bytes.
        var received = submitHeaders.ToDictionary(h => h.Key, h => (object?)Encoding.UTF8.GetBytes((string)h.Value!));

        var id = Guid.NewGuid();
        var submission = Submission(id, received);
        Assert.That(_core.Submit(id, 5, submission.Parsed!.ContentHash, submission.Parsed.PayloadBytes, null), Is.EqualTo(SubmitOutcome.Accepted));
        Commit([submission]);

        _core.WorkerJoined(new WorkerJoined("w1", 2, "host", 1, _clock.GetUtcNow()));
        _clock.Advance(TimeSpan.FromMilliseconds(5));
        _core.Dispatch();
        var assignment = _core.Effects.Assignments.Single();
        Commit([]);

        // What SchedulerTransport does around the publish of the assignment, and the worker on receipt.
        var assignHeaders = new Dictionary<string, object?>();
        using (var assign = _tracing.StartAssignment(assignment))
        {
            TraceHeaders.Inject(assign, assignHeaders);
        }

        var order = new AssignTask(id, assignment.Attempt, 5, "payload", assignment.AssignedAt);
        using (WorkerTelemetry.StartExecution(order, "w1", TraceHeaders.Extract(assignHeaders)))
        {
        }

        _clock.Advance(TimeSpan.FromMilliseconds(40));
        Assert.That(_core.Finish(new TaskFinished("w1", id, assignment.Attempt, TaskOutcome.Completed, null, _clock.GetUtcNow(), _clock.GetUtcNow())), Is.True);
        Commit([]);

        var spans = SpansOf(id);
        var accept = spans.Single(s => s.OperationName == "task.accept");
        var assigned = spans.Single(s => s.OperationName == "task.assign");
        var execute = spans.Single(s => s.OperationName == "task.execute");
        var result = spans.Single(s => s.OperationName == "task.result");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(spans.Select(s => s.TraceId).Distinct(), Is.EqualTo(new[] { producer.TraceId }), "one trace, the producer's");
            Assert.That(accept.ParentSpanId, Is.EqualTo(producer.SpanId));
            Assert.That(assigned.ParentSpanId, Is.EqualTo(accept.SpanId));
            Assert.That(execute.ParentSpanId, Is.EqualTo(assigned.SpanId));
            Assert.That(execute.Source.Name, Is.EqualTo(TelemetryNames.Worker));
            Assert.That(result.ParentSpanId, Is.EqualTo(assigned.SpanId));
            Assert.That(assigned.GetTagItem(TelemetryNames.WorkerId), Is.EqualTo("w1"));
            Assert.That(execute.GetTagItem(TelemetryNames.WorkerId), Is.EqualTo("w1"));
            Assert.That(result.GetTagItem("task.state"), Is.EqualTo("Completed"));
            Assert.That(result.Status, Is.EqualTo(ActivityStatusCode.Unset));
            Assert.That(_tracing.Tracked, Is.Zero, "a finished task is forgotten");
        }
    }

    [Test]
    public void Spans_ShowARequeueAndAFailure_AndStartATraceWhenTheProducerSentNone()
    {
        var id = Guid.NewGuid();
        var submission = Submission(id, headers: null);
        _core.Submit(id, 0, submission.Parsed!.ContentHash, submission.Parsed.PayloadBytes, null);
        Commit([submission]);

        _core.WorkerJoined(new WorkerJoined("w1", 1, "host", 1, _clock.GetUtcNow()));
        _core.Dispatch();
        var first = _core.Effects.Assignments.Single();
        Commit([]);
        _tracing.StartAssignment(first)?.Dispose();

        // w1 goes silent and is declared dead; w2 takes the task and fails it.
        _clock.Advance(TimeSpan.FromSeconds(4));
        _core.WorkerJoined(new WorkerJoined("w2", 1, "host", 2, _clock.GetUtcNow()));
        _core.CheckLiveness();
        _core.Dispatch();
        var second = _core.Effects.Assignments.Single();
        Commit([]);
        _tracing.StartAssignment(second)?.Dispose();
        _core.Finish(new TaskFinished("w2", id, second.Attempt, TaskOutcome.Failed, "disk full", _clock.GetUtcNow(), _clock.GetUtcNow()));
        Commit([]);

        var spans = SpansOf(id);
        var accept = spans.Single(s => s.OperationName == "task.accept");
        var requeue = spans.Single(s => s.OperationName == "task.requeue");
        var assigns = spans.Where(s => s.OperationName == "task.assign").ToList();
        var result = spans.Single(s => s.OperationName == "task.result");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(accept.ParentSpanId, Is.EqualTo(default(ActivitySpanId)), "no producer context: the task starts its own trace");
            Assert.That(spans.Select(s => s.TraceId).Distinct().Count(), Is.EqualTo(1));
            Assert.That(requeue.ParentSpanId, Is.EqualTo(accept.SpanId));
            Assert.That(requeue.GetTagItem(TelemetryNames.WorkerId), Is.EqualTo("w1"), "the worker the task left");
            Assert.That(assigns.Select(a => a.GetTagItem(TelemetryNames.WorkerId)), Is.EqualTo(new[] { "w1", "w2" }));
            Assert.That(result.ParentSpanId, Is.EqualTo(assigns[1].SpanId), "the result hangs under the attempt that produced it");
            Assert.That(result.Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(result.StatusDescription, Is.EqualTo("disk full"));
        }
    }

    [Test]
    public void Tracing_CreatesNothing_WhenNobodyListens()
    {
        _listener.Dispose();
        var id = Guid.NewGuid();
        var submission = Submission(id, headers: null);
        _core.Submit(id, 0, submission.Parsed!.ContentHash, submission.Parsed.PayloadBytes, null);
        Commit([submission]);
        _core.WorkerJoined(new WorkerJoined("w1", 1, "host", 1, _clock.GetUtcNow()));
        _core.Dispatch();
        var assignment = _core.Effects.Assignments.Single();
        Commit([]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_tracing.Enabled, Is.False);
            Assert.That(_tracing.StartAssignment(assignment), Is.Null);
            Assert.That(_tracing.Tracked, Is.Zero, "no context is kept for spans nobody wants");
        }
    }

    private static BrokerSubmission Submission(Guid id, IDictionary<string, object?>? headers)
    {
        const string payload = "resize image 42";
        var parsed = new ParsedSubmission(id, payload, 5, SubmissionParser.ContentHash(payload), Encoding.UTF8.GetByteCount(payload));
        return new BrokerSubmission(1, parsed, null, Encoding.UTF8.GetBytes(payload), headers);
    }

    /// <summary>What the engine does once a turn's changes are durable.</summary>
    private void Commit(IReadOnlyList<SchedulerInput> inputs)
    {
        _telemetry.TurnCommitted(inputs.Count, ProducerTraces.Of(inputs), _core.Effects, TimeSpan.FromMilliseconds(2));
        _core.Effects.Clear();
    }

    private List<Activity> SpansOf(Guid id)
    {
        lock (_spans)
        {
            return _spans.Where(s => (string?)s.GetTagItem(TelemetryNames.TaskId) == id.ToString()).ToList();
        }
    }
}
