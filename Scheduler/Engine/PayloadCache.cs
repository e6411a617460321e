namespace TaskScheduler.Scheduler.Engine;

/// <summary>
/// Payloads of accepted tasks still waiting for a worker, kept up to a fixed budget of memory so that a backlog
/// of small tasks is dispatched without reading each payload back from the journal (a LiteDB query costs tens of
/// microseconds and tens of kilobytes of garbage). Past the budget payloads stay only in the journal, where they
/// always are; the cache is an optimisation, never the record. Used by the scheduler loop only.
/// </summary>
public sealed class PayloadCache
{
    /// <summary>What a cached string costs beyond its characters: object header, length, the dictionary entry.</summary>
    private const long OverheadBytes = 64;

    private readonly Dictionary<Guid, string> _payloads = [];
    private readonly long _budgetBytes;
    private long _bytes;

    public PayloadCache(long budgetBytes) => _budgetBytes = budgetBytes;

    public int Count => _payloads.Count;

    public long Bytes => _bytes;

    /// <summary>Keeps <paramref name="payload"/> if it fits the budget; otherwise the journal serves it later.</summary>
    public void Add(Guid taskId, string payload)
    {
        var size = Size(payload);
        if (_bytes + size > _budgetBytes || !_payloads.TryAdd(taskId, payload))
        {
            return;
        }

        _bytes += size;
    }

    /// <summary>Hands out a cached payload and forgets it: once assigned, a task rarely needs its payload again.</summary>
    public bool TryTake(Guid taskId, out string payload)
    {
        if (!_payloads.Remove(taskId, out payload!))
        {
            return false;
        }

        _bytes -= Size(payload);
        return true;
    }

    /// <summary>Forgets a task that will not be dispatched any more (finished or cancelled while pending).</summary>
    public void Remove(Guid taskId) => TryTake(taskId, out _);

    private static long Size(string payload) => (payload.Length * 2L) + OverheadBytes;
}
