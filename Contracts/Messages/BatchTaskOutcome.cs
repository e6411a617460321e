using System.Text.Json.Serialization;

namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// One task of a batch: its place in the batch (from 0), its id when one could be read (over HTTP a missing id is
/// generated and given here), what became of it, and the reason when it was refused.
/// </summary>
public sealed record BatchTaskOutcome(int Index, Guid? Id, BatchOutcome Outcome)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }
}
