using System.Text.Json.Serialization;

namespace TaskScheduler.Contracts.Messages;

/// <summary>The scheduler's order to a worker to run one attempt of a task.</summary>
public sealed record AssignTask(Guid TaskId, int Attempt, int Priority, string Payload, DateTimeOffset AssignedAt)
{
    /// <summary>The checkpoint an earlier attempt saved or paused with (opaque text); null on a first run.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Checkpoint { get; init; }

    /// <summary>How long the attempt may run; null leaves it to the worker's default.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// The term of the scheduler that sent the order (docs/workers.md, "Terms"): a worker that has seen a higher one
    /// refuses it. 0, and left out, from a scheduler that runs alone.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long Term { get; init; }

    /// <summary>W3C <c>traceparent</c> of the scheduler's <c>task.assign</c> span, for orders sent in a batch.</summary>
    public string? TraceParent { get; init; }

    /// <summary>W3C <c>tracestate</c> that goes with <see cref="TraceParent"/>.</summary>
    public string? TraceState { get; init; }
}
