using System.Text.Json.Serialization;

namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// Published by the scheduler on <c>task.{id}.{state}</c> after the change is committed to its journal. A final
/// state carries when the worker started and finished the attempt (by the worker's clock), so a listener learns
/// how long the task waited and ran without asking.
/// </summary>
public sealed record TaskStateChanged(
    Guid TaskId,
    TaskState State,
    int Priority,
    int Attempt,
    string? WorkerId,
    string? Error,
    DateTimeOffset At,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? FinishedAt = null)
{
    /// <summary>For a task back in Pending: why (requeued, preempted, retry scheduled).</summary>
    public string? Note { get; init; }

    /// <summary>For Completed: the result when it is at most <see cref="Limits.MaxEventResultBytes"/>, else null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Result { get; init; }

    /// <summary>
    /// For Completed: the result's size in UTF-8 bytes (0 when there is none). When it is larger than
    /// <see cref="Limits.MaxEventResultBytes"/>, <see cref="Result"/> is null: ask the scheduler for it.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int ResultBytes { get; init; }
}
