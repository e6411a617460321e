namespace TaskScheduler.Worker.Agent;

/// <summary>What the worker does with an attempt once its handler is done (or given up on).</summary>
internal enum AttemptEndKind
{
    /// <summary>Report <c>TaskFinished</c> (completed or failed) and acknowledge the assignment.</summary>
    Finished,

    /// <summary>Report <c>TaskPreempted</c> with a checkpoint and acknowledge the assignment.</summary>
    Paused,

    /// <summary>Cancelled: acknowledge the assignment, report nothing (the scheduler no longer wants it).</summary>
    Dropped,

    /// <summary>Draining: leave the assignment unacknowledged and list it as handed back in <c>WorkerLeft</c>.</summary>
    HandedBack,
}
