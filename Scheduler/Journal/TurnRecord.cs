using TaskScheduler.Scheduler.Core.Lifecycle;

namespace TaskScheduler.Scheduler.Journal;

/// <summary>
/// What one turn of the loop journals, as one record: every task the turn changed, as it stands after the turn, and
/// the payload of each task the turn accepted. It is the unit docs/architecture.md's "The journal's next shape" appends
/// (one record per turn) and a replicated log would carry; <see cref="TurnRecordCodec"/> writes and reads it.
/// Values are absolute, never increments, so applying a record twice leaves a task as applying it once.
/// </summary>
/// <param name="Turn">The turn's number, increasing by one per record (the log index when replicated).</param>
/// <param name="Term">The leader's term that wrote it; 0 for a single scheduler.</param>
/// <param name="At">When the turn was written; the record's times are stored relative to it.</param>
/// <param name="Changes">Each task the turn changed, at most once, whole (its history too).</param>
/// <param name="Payloads">
/// The payload of each task among <paramref name="Changes"/> that the turn accepted, but those the journal stored apart
/// (<see cref="StoredApart"/>).
/// </param>
public sealed record TurnRecord(
    long Turn,
    long Term,
    DateTimeOffset At,
    IReadOnlyList<TaskSnapshot> Changes,
    IReadOnlyDictionary<Guid, string> Payloads)
{
    /// <summary>
    /// The accepted tasks whose payload a single scheduler stores itself, in the record's own transaction (its payload
    /// collection, or a file of its own written and flushed before the record: <see cref="PayloadStore"/>): the record
    /// names only the acceptance, so a payload is written once, and records stay small however large payloads are.
    /// A replicated record carries every payload inline instead.
    /// </summary>
    public IReadOnlySet<Guid> StoredApart { get; init; } = new HashSet<Guid>();

    /// <summary>True when the turn accepted the task: its record carries the task whole, with its payload or the mark that it is stored apart.</summary>
    public bool Accepted(Guid id) => Payloads.ContainsKey(id) || StoredApart.Contains(id);
}
