namespace TaskScheduler.Bench;

/// <summary>One submitted task as the bench saw it; times are stopwatch ticks since the run started, -1 until seen.</summary>
public sealed class BenchTask
{
    public BenchTask(long submittedAt) => SubmittedAt = submittedAt;

    public long SubmittedAt { get; }

    /// <summary>When the first <c>task.{id}.pending</c> event arrived: journaled, acknowledged, announced.</summary>
    public long AcceptedAt { get; set; } = -1;

    /// <summary>When the final event arrived.</summary>
    public long DoneAt { get; set; } = -1;

    /// <summary>completed, failed, cancelled or rejected; null while unfinished.</summary>
    public string? Outcome { get; set; }

    public string? WorkerId { get; set; }

    /// <summary>When the worker started and finished the final attempt, by the worker's clock.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public bool IsDone => Outcome is not null;
}
