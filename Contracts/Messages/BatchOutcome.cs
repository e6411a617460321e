using System.Text.Json.Serialization;

namespace TaskScheduler.Contracts.Messages;

/// <summary>What became of one task of a batch submission.</summary>
public enum BatchOutcome
{
    /// <summary>New, journaled, now Pending.</summary>
    [JsonStringEnumMemberName("accepted")]
    Accepted,

    /// <summary>The same id with the same content was accepted before (or earlier in the batch): nothing changed.</summary>
    [JsonStringEnumMemberName("duplicate")]
    Duplicate,

    /// <summary>Not accepted; the reason says why (invalid, an id taken by other content, an unknown dependency).</summary>
    [JsonStringEnumMemberName("refused")]
    Refused,
}
