using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core.Lifecycle;

namespace TaskScheduler.Scheduler.Core.Retention;

/// <summary>
/// How long a finished task stays in the journal, by how it ended. Once that time has passed since it finished, the
/// task (its state, history, result and payload) is deleted, and its id is unknown again. A Completed task's payload,
/// which nothing reads once the task is done, may go sooner (<see cref="CompletedPayload"/>).
/// </summary>
public sealed record RetentionPolicy(TimeSpan Completed, TimeSpan Failed, TimeSpan Cancelled, TimeSpan CompletedPayload)
{
    /// <summary>The three outcomes a task can end as, the order in which expiry visits them.</summary>
    public static readonly IReadOnlyList<TaskState> Outcomes = [TaskState.Completed, TaskState.Failed, TaskState.Cancelled];

    /// <summary>Every outcome kept as long, the payload with its task.</summary>
    public static RetentionPolicy All(TimeSpan retention) => new(retention, retention, retention, retention);

    /// <summary>Whether Completed tasks lose their payload before the task itself expires.</summary>
    public bool DropsPayloadsEarly => CompletedPayload < Completed;

    /// <summary>How long a task that ended as <paramref name="outcome"/> is kept.</summary>
    public TimeSpan For(TaskState outcome) => outcome switch
    {
        TaskState.Completed => Completed,
        TaskState.Failed => Failed,
        TaskState.Cancelled => Cancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "only a finished task expires"),
    };

    /// <summary>
    /// The latest finish time of a task of this outcome that has expired at <paramref name="now"/>; saturates, so a
    /// retention longer than the calendar keeps everything rather than overflow.
    /// </summary>
    public DateTimeOffset Cutoff(TaskState outcome, DateTimeOffset now) => TimeMath.Plus(now, -For(outcome));

    /// <summary>The latest finish time of a Completed task whose payload may be dropped at <paramref name="now"/>.</summary>
    public DateTimeOffset PayloadCutoff(DateTimeOffset now) => TimeMath.Plus(now, -CompletedPayload);

    /// <summary>Whether the task is finished and was so for longer than its outcome's retention.</summary>
    public bool IsExpired(TaskSnapshot task, DateTimeOffset now) => task.State.IsFinal() && FinishedAt(task) <= Cutoff(task.State, now);

    /// <summary>Whether the task completed long enough ago to lose its payload.</summary>
    public bool IsPayloadExpired(TaskSnapshot task, DateTimeOffset now) =>
        task.State == TaskState.Completed && FinishedAt(task) <= PayloadCutoff(now);

    /// <summary>When a finished task ended; one journaled without a finish time counts from its submission.</summary>
    public static DateTimeOffset FinishedAt(TaskSnapshot task) => task.FinishedAt ?? task.SubmittedAt;
}
