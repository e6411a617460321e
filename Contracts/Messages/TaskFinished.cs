using System.Text.Json.Serialization;

namespace TaskScheduler.Contracts.Messages;

/// <summary>A worker reports the end of one attempt.</summary>
public sealed record TaskFinished(
    string WorkerId,
    Guid TaskId,
    int Attempt,
    TaskOutcome Outcome,
    string? Error,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt) : IWorkerEvent
{
    /// <summary>What a completed attempt returned (at most <see cref="Limits.MaxResultBytes"/>); null when nothing.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Result { get; init; }

    /// <summary>
    /// Milliseconds from the assignment's arrival at the worker to the attempt's start, by the worker's clock: the
    /// last stage of a task's way to its handler, for the scheduler's stage histogram. Null from older workers.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? StartDelayMs { get; init; }
}
