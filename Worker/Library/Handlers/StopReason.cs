namespace TaskScheduler.Worker.Handlers;

/// <summary>Why an attempt's cancellation token fired.</summary>
public enum StopReason
{
    /// <summary>The token has not fired.</summary>
    None,

    /// <summary>The task was cancelled (or this attempt superseded): nothing the handler returns is reported.</summary>
    Cancelled,

    /// <summary>A more urgent task needs the slot: return <see cref="TaskResult.Paused"/> with a checkpoint.</summary>
    Preempted,

    /// <summary>The worker is stopping: the attempt is handed back, to resume elsewhere from its last checkpoint.</summary>
    Draining,

    /// <summary>The attempt ran out of time: it fails with "timed out after …", and retries apply.</summary>
    TimedOut,
}
