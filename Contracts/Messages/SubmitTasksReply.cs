using System.Text.Json.Serialization;

namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// The answer to a batch submission, sent once the batch is journaled: the answer of <c>POST /api/tasks/batch</c>,
/// and the reply to a <c>submit-batch</c> message that names a <c>reply_to</c> queue. <see cref="Tasks"/> holds one
/// outcome per task in the batch's order. A batch refused as a whole (unreadable, too many tasks, too large) has
/// <see cref="Error"/> and no tasks.
/// </summary>
public sealed record SubmitTasksReply(int Accepted, int Duplicates, int Refused, IReadOnlyList<BatchTaskOutcome> Tasks)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }
}
