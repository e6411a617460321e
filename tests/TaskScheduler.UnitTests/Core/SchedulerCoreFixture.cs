using System.Text;
using Microsoft.Extensions.Time.Testing;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Dispatching;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Liveness;
using TaskScheduler.Scheduler.Core.Queueing;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.UnitTests;

/// <summary>A fresh core on a fake clock for each test, and the verbs the core tests are written in.</summary>
public abstract class SchedulerCoreFixture
{
    // A worker silent for more than 3 s is dead; an assignment missing from heartbeats for more than 6 s is lost.
    protected static readonly LivenessOptions Liveness = new(TimeSpan.FromSeconds(1), MissedHeartbeats: 3);
    protected static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    protected FakeTimeProvider Clock { get; private set; } = null!;

    protected RecordingCore Core { get; private set; } = null!;

    protected DateTimeOffset Now => Clock.GetUtcNow();

    [SetUp]
    public void SetUp()
    {
        Clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        Core = new RecordingCore(new SchedulerCore(Liveness, Clock));
    }

    /// <summary>Replaces the core with one using these preemption and retry settings.</summary>
    protected void Configure(PreemptionOptions? preemption = null, RetryOptions? retry = null) =>
        Core = new RecordingCore(new SchedulerCore(Liveness, Clock, preemption, retry));

    /// <summary>Replaces the core with one built otherwise (limits set), on the same clock.</summary>
    protected void Use(SchedulerCore core) => Core = new RecordingCore(core);

    /// <summary>A task as the parser would hand it over, with a payload derived from its id.</summary>
    protected static ParsedSubmission Spec(Guid id, int priority = 0, IReadOnlyList<Guid>? dependsOn = null, int maxRetries = 0)
    {
        var payload = $"job {id}";
        return new ParsedSubmission(id, payload, priority, SubmissionParser.ContentHash(payload, dependsOn ?? [], maxRetries), payload.Length)
        {
            DependsOn = dependsOn ?? [],
            MaxRetries = maxRetries,
        };
    }

    /// <summary>Submits tasks as one graph, with what the journal knows of finished tasks, and expects acceptance.</summary>
    protected void SubmitGraph(IReadOnlyDictionary<Guid, TaskSnapshot>? journaled, params ParsedSubmission[] tasks) =>
        Assert.That(Core.Submit(tasks, journaled ?? new Dictionary<Guid, TaskSnapshot>()), Is.EqualTo(SubmitVerdict.Accepted));

    protected void SubmitGraph(params ParsedSubmission[] tasks) => SubmitGraph(null, tasks);

    /// <summary>Dispatches and returns this round's assignments.</summary>
    protected List<Assignment> DispatchNow()
    {
        Core.Effects.Assignments.Clear();
        Core.Dispatch();
        return [.. Core.Effects.Assignments];
    }

    /// <summary>The history entries recorded for a task since the effects were last cleared, as event words.</summary>
    protected List<string> HistoryOf(Guid id) =>
        [.. Core.Effects.History.Where(h => h.TaskId == id).Select(h => h.Entry.Event)];

    protected Guid Submit(int priority = 0)
    {
        var id = Guid.NewGuid();
        var payload = $"job {id}";
        var outcome = Core.Submit(id, priority, SubmissionParser.ContentHash(payload), Encoding.UTF8.GetByteCount(payload), journaled: null);
        Assert.That(outcome, Is.EqualTo(SubmitOutcome.Accepted));
        return id;
    }

    protected void Join(string workerId, int capacity) =>
        Core.WorkerJoined(new WorkerJoined(workerId, capacity, "host-1", 4242, Now));

    protected void Beat(string workerId, int capacity, params RunningTask[] running) =>
        Core.Heartbeat(new WorkerHeartbeat(workerId, capacity, running, Draining: false, Now));

    protected ScheduledTask Active(Guid id) =>
        Core.FindActive(id) ?? throw new AssertionException($"task {id} is not active");

    protected TaskFinished Result(Guid id, string workerId, int attempt, TaskOutcome outcome = TaskOutcome.Completed, string? error = null) =>
        new(workerId, id, attempt, outcome, error, Now, Now);

    protected TaskFinished Result(Assignment assignment) => Result(assignment.TaskId, assignment.WorkerId, assignment.Attempt);

    protected List<Guid> DrainOneByOne()
    {
        var order = new List<Guid>();
        while (Core.PendingCount > 0)
        {
            Core.Effects.Clear();
            Assert.That(Core.Dispatch(), Is.EqualTo(1));
            var assignment = Core.Effects.Assignments.Single();
            order.Add(assignment.TaskId);
            Assert.That(Core.Finish(Result(assignment)), Is.True);
        }

        return order;
    }

    protected void AssertNoWorkerOverCapacity()
    {
        var over = Core.Workers.Values.Where(w => w.InFlight.Count > w.Capacity).Select(w => $"{w.Id} {w.InFlight.Count}/{w.Capacity}");
        Assert.That(over, Is.Empty);
    }

    protected static Dictionary<string, int> PerWorker(IEnumerable<Assignment> assignments) =>
        assignments.GroupBy(a => a.WorkerId).ToDictionary(g => g.Key, g => g.Count());

    protected TaskSnapshot Snapshot(
        Guid id,
        int priority,
        long sequence,
        TaskState state = TaskState.Pending,
        int attempts = 0,
        string? workerId = null,
        DateTimeOffset? assignedAt = null,
        string? contentHash = null) =>
        new(id, priority, sequence, state, attempts, workerId, Now.AddHours(-1), assignedAt, null,
            state.IsFinal() ? Now.AddMinutes(-1) : null, null, null, contentHash ?? SubmissionParser.ContentHash($"job {id}"), 10);
}
