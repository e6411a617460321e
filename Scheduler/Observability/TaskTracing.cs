using System.Collections.Concurrent;
using System.Diagnostics;
using TaskScheduler.Contracts.Observability;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;

namespace TaskScheduler.Scheduler.Observability;

/// <summary>
/// The scheduler's spans of a task's life: <c>task.accept</c> (child of the producer's span when the submission
/// carried a <c>traceparent</c>), <c>task.assign</c> for each attempt (its context travels to the worker in the
/// assignment's headers, where <c>task.execute</c> hangs under it), <c>task.requeue</c>, and <c>task.result</c>.
/// Contexts of unfinished tasks are remembered in memory only while something listens (an exporter is
/// configured), and only up to <see cref="MaxTracked"/> tasks; a task accepted before a restart starts a new trace,
/// still findable by its <c>task.id</c> attribute.
/// </summary>
public sealed class TaskTracing : IDisposable
{
    /// <summary>Bounds the memory tracing may take when a huge backlog is traced.</summary>
    public const int MaxTracked = 200_000;

    private readonly ActivitySource _source = new(TelemetryNames.Scheduler);
    private readonly ConcurrentDictionary<Guid, TaskTrace> _tasks = new();

    /// <summary>True when some listener (the OpenTelemetry SDK, a test) wants the scheduler's spans.</summary>
    public bool Enabled => _source.HasListeners();

    public int Tracked => _tasks.Count;

    /// <summary>A task was journaled: the span covers acceptance, from the core taking it to the end of the commit.</summary>
    public void Accepted(Guid taskId, int priority, DateTimeOffset submittedAt, ActivityContext? producer, DateTimeOffset committedAt)
    {
        using var activity = Start("task.accept", ActivityKind.Consumer, producer ?? default, submittedAt, taskId);
        if (activity is null)
        {
            return;
        }

        activity.SetTag(TelemetryNames.TaskPriority, priority);
        Remember(taskId, new TaskTrace(activity.Context, null, null));
        activity.SetEndTime(committedAt.UtcDateTime);
    }

    /// <summary>
    /// Starts the span of sending one attempt to a worker; the caller puts its context in the message and disposes
    /// it once the broker confirmed the send.
    /// </summary>
    public Activity? StartAssignment(Assignment assignment)
    {
        var trace = _tasks.GetValueOrDefault(assignment.TaskId);
        var activity = Start("task.assign", ActivityKind.Producer, trace?.Accept ?? default, assignment.AssignedAt, assignment.TaskId);
        if (activity is null)
        {
            return null;
        }

        activity.SetTag(TelemetryNames.TaskAttempt, assignment.Attempt);
        activity.SetTag(TelemetryNames.WorkerId, assignment.WorkerId);
        activity.SetTag(TelemetryNames.TaskPriority, assignment.Priority);
        Remember(assignment.TaskId, new TaskTrace(trace?.Accept ?? activity.Context, activity.Context, assignment.WorkerId));
        return activity;
    }

    /// <summary>
    /// The task went back to the queue (its worker died, left or lost it). The reason is known only while the task
    /// still waits at commit; the worker it left is remembered from its assignment.
    /// </summary>
    public void Requeued(Guid taskId, int attempt, string? reason, DateTimeOffset at)
    {
        var trace = _tasks.GetValueOrDefault(taskId);
        using var activity = Start("task.requeue", ActivityKind.Internal, trace?.Accept ?? default, at, taskId);
        if (activity is null)
        {
            return;
        }

        activity.SetTag(TelemetryNames.TaskAttempt, attempt);
        activity.SetTag(TelemetryNames.WorkerId, trace?.WorkerId);
        activity.SetTag("task.requeue.reason", reason);
        Remember(taskId, new TaskTrace(trace?.Accept ?? activity.Context, null, null));
        activity.SetEndTime(at.UtcDateTime);
    }

    /// <summary>The task reached a final state: its result was journaled. Forgets the task.</summary>
    public void Finished(TaskSnapshot task, DateTimeOffset appliedAt, DateTimeOffset committedAt)
    {
        _tasks.TryRemove(task.Id, out var trace);
        using var activity = Start("task.result", ActivityKind.Consumer, trace?.Assign ?? trace?.Accept ?? default, appliedAt, task.Id);
        if (activity is null)
        {
            return;
        }

        activity.SetTag(TelemetryNames.TaskAttempt, task.Attempts);
        activity.SetTag(TelemetryNames.WorkerId, task.WorkerId);
        activity.SetTag("task.state", task.State.ToString());
        if (task.State == Contracts.TaskState.Failed)
        {
            activity.SetStatus(ActivityStatusCode.Error, task.Error);
        }

        activity.SetEndTime(committedAt.UtcDateTime);
    }

    public void Dispose() => _source.Dispose();

    private Activity? Start(string name, ActivityKind kind, ActivityContext parent, DateTimeOffset start, Guid taskId)
    {
        if (!_source.HasListeners())
        {
            return null;
        }

        var activity = _source.StartActivity(name, kind, parent, startTime: start);
        activity?.SetTag(TelemetryNames.TaskId, taskId.ToString());
        return activity;
    }

    private void Remember(Guid taskId, TaskTrace trace)
    {
        if (_tasks.Count < MaxTracked || _tasks.ContainsKey(taskId))
        {
            _tasks[taskId] = trace;
        }
    }

    private sealed record TaskTrace(ActivityContext Accept, ActivityContext? Assign, string? WorkerId);
}
