using System.Diagnostics;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Observability;
using TaskScheduler.Dashboard;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;

namespace TaskScheduler.Scheduler.Observability;

/// <summary>
/// Turns what the core decided in one committed turn (<see cref="CoreEffects"/>) into metrics, the dashboard's time
/// series and recent failures, and spans. Called by the engine on its loop after each commit, so the core itself
/// knows nothing of any of this.
/// </summary>
public sealed class SchedulerTelemetry(
    SchedulerMetrics metrics, TimeSeries series, RecentFailures failures, TaskTracing tracing, TimeProvider time)
{
    // When a requeued task re-entered the queue, for its next assignment delay; first attempts wait since submission.
    private readonly Dictionary<Guid, DateTimeOffset> _requeuedAt = [];


    public TaskTracing Tracing => tracing;

    /// <summary>How far the journal's task documents are behind its committed turns (the engine's <c>JournalDocuments</c>).</summary>
    public void DocumentsBehind(int carried, long inserted, long updated) => metrics.Documents(carried, inserted, updated);

    /// <summary>
    /// Records one turn of <paramref name="inputs"/> inputs whose changes are now written. <paramref name="commit"/>
    /// is null when nothing was written; <paramref name="producers"/> holds the trace context each submission came
    /// with, by task id, when tracing is on.
    /// </summary>
    public void TurnCommitted(int inputs, IReadOnlyDictionary<Guid, ActivityContext>? producers, CoreEffects effects, TimeSpan? commit)
    {
        var now = time.GetUtcNow();
        if (commit is { } duration)
        {
            metrics.Committed(duration, inputs);
        }

        foreach (var change in effects.Events)
        {
            if (!effects.Changed.TryGetValue(change.TaskId, out var task))
            {
                continue;
            }

            switch (change.State)
            {
                case TaskState.Pending when change.Attempt == 0:
                    if (producers is not null && producers.TryGetValue(change.TaskId, out var producer))
                    {
                        tracing.Accepted(change.TaskId, change.Priority, task.SubmittedAt, producer, now);
                    }

                    break;

                case TaskState.Pending:
                    _requeuedAt[change.TaskId] = change.At;
                    tracing.Requeued(change.TaskId, change.Attempt, task.State == TaskState.Pending ? task.Note : null, change.At);
                    break;

                case TaskState.Completed or TaskState.Failed:
                    Finished(task, change.At, now);
                    break;

                case TaskState.Cancelled:
                    _requeuedAt.Remove(change.TaskId);
                    tracing.Finished(task, change.At, now);
                    break;
            }
        }

        foreach (var assignment in effects.Assignments)
        {
            var since = _requeuedAt.Remove(assignment.TaskId, out var requeued)
                ? requeued
                : effects.Changed.TryGetValue(assignment.TaskId, out var task) ? task.SubmittedAt : assignment.AssignedAt;
            var delay = assignment.AssignedAt - since;
            metrics.AssignmentDelay(delay);
            series.AssignmentDelay.Add(delay);
        }
    }

    private void Finished(TaskSnapshot task, DateTimeOffset appliedAt, DateTimeOffset now)
    {
        _requeuedAt.Remove(task.Id);
        var runTime = task is { StartedAt: { } started, FinishedAt: { } finished } ? finished - started : TimeSpan.Zero;
        var submitToDone = appliedAt - task.SubmittedAt;
        metrics.Finished(runTime, submitToDone, task.State.ToWireName());
        series.SubmitToDone.Add(submitToDone);
        series.RunTime.Add(runTime);
        if (task.State == TaskState.Failed)
        {
            // The dashboard polls every second: it shows an error's start, the task's status has all of it.
            failures.Add(new FailedTask(task.Id, task.Priority, task.Attempts, task.WorkerId, BoundedText.TruncateOrNull(task.Error, Limits.MaxReasonChars), appliedAt));
        }

        tracing.Finished(task, appliedAt, now);
    }
}
