using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using TaskScheduler.Client;
using TaskScheduler.Client.Events;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.UnitTests.Client;

/// <summary>How a wait or a watch makes up for events it never heard, from what the scheduler answers.</summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public class TaskEventSequenceTests
{
    private static readonly Guid Id = Guid.NewGuid();
    private static readonly DateTimeOffset At = new(2026, 11, 30, 5, 0, 0, TimeSpan.Zero);

    private readonly Channel<TaskEvent> _events = Channel.CreateUnbounded<TaskEvent>();
    private readonly Queue<TaskStatusView?> _answers = new();
    private int _asked;

    [Test]
    public async Task ATaskThatEndedBeforeTheFollow_EndsAtOnce_WithTheJournaledResult()
    {
        _answers.Enqueue(Status(TaskState.Completed, result: "done"));

        var events = await RunAsync(submittedHere: false);

        Assert.That(events.Select(e => (e.Kind, e.Result, e.Attempt, e.WorkerId)), Is.EqualTo(new[] { (TaskEventKind.Completed, (string?)"done", 1, (string?)"w1") }));
    }

    [Test]
    public async Task AMissedFinalEvent_IsMadeUpByAskingAgain_WhenNoEventComesWithinThePollInterval()
    {
        _answers.Enqueue(Status(TaskState.Pending));
        _answers.Enqueue(Status(TaskState.Running));
        _answers.Enqueue(Status(TaskState.Failed, error: "disk full"));
        _events.Writer.TryWrite(Event(TaskEventKind.Running));

        var events = await RunAsync(submittedHere: false);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(events.Select(e => e.Kind), Is.EqualTo(new[] { TaskEventKind.Running, TaskEventKind.Failed }));
            Assert.That(events[^1].Error, Is.EqualTo("disk full"));
            Assert.That(_asked, Is.EqualTo(3), "once on starting, then once per silent interval until the end");
        }
    }

    [Test]
    public async Task EventsAlreadyReceived_ComeBeforeTheEndTheJournalKnows()
    {
        _answers.Enqueue(Status(TaskState.Completed, result: "done"));
        _events.Writer.TryWrite(Event(TaskEventKind.Pending));
        _events.Writer.TryWrite(Event(TaskEventKind.Running));

        var events = await RunAsync(submittedHere: true);

        Assert.That(events.Select(e => e.Kind), Is.EqualTo(new[] { TaskEventKind.Pending, TaskEventKind.Running, TaskEventKind.Completed }));
    }

    [Test]
    public async Task AFinalEventWithoutItsLargeResult_GetsItFetched()
    {
        var large = new string('r', Limits.MaxEventResultBytes + 1);
        _answers.Enqueue(null); // not known yet: submitted a moment ago
        _answers.Enqueue(Status(TaskState.Completed, result: large));
        _events.Writer.TryWrite(Event(TaskEventKind.Completed) with { ResultBytes = large.Length });

        var events = await RunAsync(submittedHere: true);

        Assert.That(events.Single().Result, Is.EqualTo(large));
    }

    [Test]
    public async Task ARejection_EndsOurSubmission_ButNotATaskThatExists()
    {
        _answers.Enqueue(Status(TaskState.Pending));
        _answers.Enqueue(Status(TaskState.Pending)); // asked about the rejection: the task is there, it goes on
        _events.Writer.TryWrite(Event(TaskEventKind.Rejected) with { State = null, Error = "id taken by other content" });
        _events.Writer.TryWrite(Event(TaskEventKind.Completed));

        var others = await RunAsync(submittedHere: false);

        _answers.Enqueue(Status(TaskState.Pending));
        _events.Writer.TryWrite(Event(TaskEventKind.Rejected) with { State = null, Error = "id taken by other content" });
        var ours = await RunAsync(submittedHere: true);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(others.Select(e => e.Kind), Is.EqualTo(new[] { TaskEventKind.Rejected, TaskEventKind.Completed }));
            Assert.That(ours.Select(e => e.Kind), Is.EqualTo(new[] { TaskEventKind.Rejected }));
        }
    }

    [Test]
    public void AWaitForATaskTheSchedulerDoesNotKnow_FailsWithTaskNotFound_NamingTheId()
    {
        _answers.Enqueue(null);

        var thrown = Assert.ThrowsAsync<TaskNotFoundException>(async () => await RunAsync(submittedHere: false));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(thrown!.TaskId, Is.EqualTo(Id));
            Assert.That(thrown.Message, Does.Contain(Id.ToString()));
            Assert.That(_asked, Is.EqualTo(2), "asked on starting, and once more after the grace");
        }
    }

    [Test]
    public async Task ATaskThatArrivesWithinTheGrace_IsFollowedToItsEnd()
    {
        _answers.Enqueue(null); // on its way through the broker
        _events.Writer.TryWrite(Event(TaskEventKind.Pending));
        _events.Writer.TryWrite(Event(TaskEventKind.Completed));

        var events = await RunAsync(submittedHere: false);

        Assert.That(events.Select(e => e.Kind), Is.EqualTo(new[] { TaskEventKind.Pending, TaskEventKind.Completed }));
    }

    [Test]
    public async Task ASchedulerThatCannotBeAsked_LeavesTheEventsToTell()
    {
        var sequence = new TaskEventSequence(
            (_, _) => throw new TaskSchedulerUnavailableException(UnavailablePart.Scheduler, "down"), TimeSpan.FromMinutes(10), TaskSchedulerClientOptions.DefaultUnknownTaskGrace,
            NullLogger.Instance);
        _events.Writer.TryWrite(Event(TaskEventKind.Completed));

        var events = new List<TaskEvent>();
        await foreach (var e in sequence.EventsOfAsync(Id, _events.Reader, submittedHere: true, Timeout()))
        {
            events.Add(e);
        }

        Assert.That(events.Select(e => e.Kind), Is.EqualTo(new[] { TaskEventKind.Completed }));
    }

    [Test]
    public void AClientDisposedDuringAWait_EndsItWithObjectDisposed()
    {
        _answers.Enqueue(Status(TaskState.Pending));
        var sequence = new TaskEventSequence(AnswerAsync, TimeSpan.FromMinutes(10), TaskSchedulerClientOptions.DefaultUnknownTaskGrace, NullLogger.Instance);
        _events.Writer.TryComplete(new ObjectDisposedException(nameof(TaskSchedulerClient)));

        Assert.ThrowsAsync<ObjectDisposedException>(async () =>
        {
            await foreach (var _ in sequence.EventsOfAsync(Id, _events.Reader, submittedHere: false, Timeout()))
            {
            }
        });
    }

    private async Task<List<TaskEvent>> RunAsync(bool submittedHere)
    {
        // A short poll interval and grace: the sequence asks again whenever the events are silent that long.
        var sequence = new TaskEventSequence(AnswerAsync, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(50), NullLogger.Instance);
        var events = new List<TaskEvent>();
        await foreach (var e in sequence.EventsOfAsync(Id, _events.Reader, submittedHere, Timeout()))
        {
            events.Add(e);
        }

        return events;
    }

    private Task<TaskStatusView?> AnswerAsync(Guid id, CancellationToken ct)
    {
        _asked++;
        return Task.FromResult(_answers.Count > 1 ? _answers.Dequeue() : _answers.Peek());
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromMinutes(1)).Token;

    private static TaskEvent Event(TaskEventKind kind) => new(Id, kind, At)
    {
        State = kind == TaskEventKind.Rejected ? null : Enum.Parse<TaskState>(kind.ToString()),
        Attempt = 1,
        WorkerId = "w1",
    };

    private static TaskStatusView Status(TaskState state, string? result = null, string? error = null) =>
        new(Id, state, 0, 1, "w1", At, At, state.IsFinal() ? At : null, error, null, 10) { Result = result };
}
