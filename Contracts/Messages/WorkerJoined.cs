using System.Text.Json.Serialization;

namespace TaskScheduler.Contracts.Messages;

/// <summary>A worker announces itself after declaring its queues and starting to consume them.</summary>
public sealed record WorkerJoined(string WorkerId, int Capacity, string Host, int ProcessId, DateTimeOffset At) : IWorkerEvent
{
    /// <summary>What the worker offers (<c>Worker:Tags</c>, such as <c>gpu</c> or <c>eu-west</c>): its pool.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Tags { get; init; }
}
