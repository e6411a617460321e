using TaskScheduler.Contracts;

namespace TaskScheduler.Worker.Agent;

/// <summary>The worker's decision at the end of an attempt; see <see cref="AttemptEnding"/>.</summary>
internal sealed record AttemptEnd(AttemptEndKind Kind, TaskOutcome Outcome = TaskOutcome.Completed, string? Result = null, string? Error = null, string? Checkpoint = null)
{
    public static AttemptEnd Completed(string? result) => new(AttemptEndKind.Finished, TaskOutcome.Completed, Result: result);

    public static AttemptEnd Failed(string error) => new(AttemptEndKind.Finished, TaskOutcome.Failed, Error: error);

    public static AttemptEnd Paused(string? checkpoint) => new(AttemptEndKind.Paused, Checkpoint: checkpoint);

    public static AttemptEnd Dropped { get; } = new(AttemptEndKind.Dropped);

    public static AttemptEnd HandedBack(string? checkpoint) => new(AttemptEndKind.HandedBack, Checkpoint: checkpoint);
}
