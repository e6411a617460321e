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
    DateTimeOffset FinishedAt)
{
    /// <summary>What a completed attempt returned (at most <see cref="Limits.MaxResultBytes"/>); null when nothing.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Result { get; init; }
}
