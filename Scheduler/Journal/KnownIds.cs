namespace TaskScheduler.Scheduler.Journal;

/// <summary>
/// Which task ids the journal may hold, so that the duplicate check of a new submission (nearly always an id never
/// seen) skips the journal lookup: a <see cref="BloomFilter"/> over the journal's ids at 1% false positives. It is
/// built in the background from the journal, first when a lookup asks for it (a restart does not wait for it; until it
/// is ready every id may exist and is looked up, as before), and again once more ids were added than it was sized
/// for, sized from the journal's count then (which also drops the bits of ids deleted by retention: until then each
/// costs a lookup). Every id written is added before its transaction commits, and a build starts only between two
/// transactions of the writer (<see cref="StartRequestedBuild"/>): what it reads holds every id committed before it,
/// and every id added after it is kept aside and added at its end. So an id the journal holds is never answered
/// "unknown". Memory: about 2.4 MB per million tasks in the journal.
/// </summary>
public sealed class KnownIds
{
    /// <summary>The false-positive rate the filter is sized for.</summary>
    public const double FalsePositiveRate = 0.01;

    /// <summary>The fewest ids a filter is sized for, so a young journal is not rebuilt at every few thousand tasks.</summary>
    public const long MinCapacity = 65_536;

    /// <summary>After a build failed (the journal was being reopened, say), the next is tried no sooner than this.</summary>
    private const long RetryAfterMs = 10_000;

    private readonly Func<long> _count;
    private readonly Func<IEnumerable<Guid>> _ids;
    private readonly Lock _gate = new();
    private BloomFilter? _filter;
    private List<Guid>? _addedWhileBuilding;
    private volatile bool _requested;
    private long _retryAt;

    /// <param name="count">How many tasks the journal holds (read on the thread that builds).</param>
    /// <param name="ids">Every id the journal holds, read on the thread that builds.</param>
    public KnownIds(Func<long> count, Func<IEnumerable<Guid>> ids)
    {
        _count = count;
        _ids = ids;
    }

    /// <summary>Builds completed so far.</summary>
    public int Builds { get; private set; }

    /// <summary>True when the next <see cref="StartRequestedBuild"/> starts a build.</summary>
    public bool BuildRequested => _requested;

    /// <summary>The filter in use, or null until the first build is done.</summary>
    public BloomFilter? Filter => Volatile.Read(ref _filter);

    /// <summary>False when <paramref name="id"/> was never written to the journal; true when it may have been.</summary>
    public bool MightContain(Guid id)
    {
        if (Volatile.Read(ref _filter) is { } filter)
        {
            return filter.MightContain(id);
        }

        _requested = true;
        return true;
    }

    /// <summary>Records an id about to be written, before its transaction commits.</summary>
    public void Add(Guid id)
    {
        lock (_gate)
        {
            _addedWhileBuilding?.Add(id);
            if (_filter is null)
            {
                return;
            }

            _filter.Add(id);
            if (_addedWhileBuilding is null && _filter.Count > _filter.Capacity)
            {
                _requested = true;
            }
        }
    }

    /// <summary>
    /// Starts a build in the background if one was asked for. Call it on the writer's thread, outside a transaction:
    /// every id added before then is committed, so the build reads it from the journal.
    /// </summary>
    public void StartRequestedBuild()
    {
        if (_requested && Begin())
        {
            _ = Task.Run(Run);
        }
    }

    /// <summary>Builds the filter now, on this thread; the same rule as <see cref="StartRequestedBuild"/> applies.</summary>
    public void Build()
    {
        if (Begin())
        {
            Run();
        }
    }

    private bool Begin()
    {
        lock (_gate)
        {
            if (_addedWhileBuilding is not null || Environment.TickCount64 < _retryAt)
            {
                return false;
            }

            _addedWhileBuilding = [];
            _requested = false;
            return true;
        }
    }

    private void Run()
    {
        try
        {
            var filter = new BloomFilter(Math.Max(MinCapacity, 2 * _count()), FalsePositiveRate);
            foreach (var id in _ids())
            {
                filter.Add(id);
            }

            lock (_gate)
            {
                foreach (var id in _addedWhileBuilding!)
                {
                    filter.Add(id);
                }

                Volatile.Write(ref _filter, filter);
                _addedWhileBuilding = null;
                Builds++;
            }
        }
#pragma warning disable CA1031 // A filter that cannot be built leaves every id to the journal lookup, as before it existed.
        catch (Exception)
#pragma warning restore CA1031
        {
            lock (_gate)
            {
                _addedWhileBuilding = null;
                _retryAt = Environment.TickCount64 + RetryAfterMs;
                _requested = true;
            }
        }
    }
}
