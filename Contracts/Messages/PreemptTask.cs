using System.Text.Json.Serialization;

namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// Sent on a worker's control queue: pause this attempt, keep its progress, free the slot and report
/// <see cref="TaskPreempted"/>. The task resumes later, from that progress, as a new attempt on any worker.
/// </summary>
public sealed record PreemptTask(Guid TaskId, int Attempt, string Reason)
{
    /// <summary>The sending scheduler's term (<see cref="AssignTask.Term"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long Term { get; init; }
}
