using LiteDB;

namespace TaskScheduler.Scheduler.Journal;

/// <summary>
/// The turns' records in the journal's own LiteDB file (the <c>turns</c> collection): appended in the turn's
/// transaction, read back on open after the materializer's mark, deleted once a batch's documents cover them. A record
/// is stored in parts of at most <see cref="PartBytes"/>, under LiteDB's limit on one document (16 MiB), keyed
/// turn × <see cref="PartsPerTurn"/> + part, so that every new key goes at the end of the index. This is the single
/// scheduler's log; a replicated one (docs/architecture.md, "The journal's next shape", step 5) offers the same three
/// operations, and the interface between the two comes with it.
/// </summary>
internal sealed class LiteTurnLog(ILiteCollection<BsonDocument> turns)
{
    /// <summary>The collection's name in the journal file.</summary>
    public const string Collection = "turns";

    /// <summary>The largest part of a record, in bytes.</summary>
    public const int PartBytes = 4 * 1024 * 1024;

    private const long PartsPerTurn = 1024;

    /// <summary>
    /// Writes the turn's record, in the caller's transaction; <paramref name="replace"/> over a record of the same turn
    /// (after a reopen, when the commit that failed may have reached the file).
    /// </summary>
    public void Append(long turn, byte[] record, bool replace)
    {
        var parts = new List<BsonDocument>(1 + (record.Length / PartBytes));
        for (var offset = 0; offset == 0 || offset < record.Length; offset += PartBytes)
        {
            var part = offset == 0 && record.Length <= PartBytes ? record : record.AsSpan(offset, Math.Min(PartBytes, record.Length - offset)).ToArray();
            parts.Add(new BsonDocument { ["_id"] = (turn * PartsPerTurn) + parts.Count, ["r"] = part });
        }

        if (replace)
        {
            turns.Upsert(parts);
        }
        else
        {
            turns.Insert(parts);
        }
    }

    /// <summary>The records of the turns after <paramref name="turn"/>, oldest first, each whole.</summary>
    public IEnumerable<byte[]> After(long turn)
    {
        var current = -1L;
        var parts = new List<byte[]>();
        foreach (var part in turns.Query().Where("_id >= @0", (turn + 1) * PartsPerTurn).OrderBy("_id").ToEnumerable())
        {
            var partTurn = part["_id"].AsInt64 / PartsPerTurn;
            if (partTurn != current && parts.Count > 0)
            {
                yield return Whole(parts);
                parts.Clear();
            }

            current = partTurn;
            parts.Add(part["r"].AsBinary);
        }

        if (parts.Count > 0)
        {
            yield return Whole(parts);
        }
    }

    /// <summary>Deletes the records of the turns up to <paramref name="turn"/>, which the documents now cover.</summary>
    public void DeleteUpTo(long turn) => turns.DeleteMany(Query.LTE("_id", ((turn + 1) * PartsPerTurn) - 1));

    private static byte[] Whole(List<byte[]> parts) => parts.Count == 1 ? parts[0] : [.. parts.SelectMany(p => p)];
}
