using System.Text.Json.Serialization;

namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// Cancel a task. Two uses, one shape: a producer publishes it to the cancel exchange to cancel task
/// <see cref="TaskId"/> whatever its attempt (leave <see cref="Attempt"/> out, or 0); the scheduler sends it on a
/// worker's control queue to stop one attempt, which the worker then does not report.
/// </summary>
public sealed record CancelTask(Guid TaskId, int Attempt, string? Reason)
{
    /// <summary>On a worker's control queue, the sending scheduler's term (<see cref="AssignTask.Term"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long Term { get; init; }
}
