using System.Text.Json.Serialization;

namespace TaskScheduler.Contracts.Messages;

/// <summary>One attempt a worker holds, as listed in its heartbeats.</summary>
public sealed record RunningTask(Guid TaskId, int Attempt)
{
    /// <summary>
    /// The worker's estimate of the time the attempt still needs, when it has one: the scheduler does not preempt
    /// a task that is about to finish.
    /// </summary>
    public TimeSpan? Remaining { get; init; }

    /// <summary>The handler's latest progress report, if it made one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TaskProgress? Progress { get; init; }
}
