namespace TaskScheduler.Scheduler.Observability;

/// <summary>
/// Whether the journal can write. A full disk or an I/O error is an ordinary event: while writes fail the scheduler
/// accepts nothing (submissions wait in the broker, HTTP answers 503 with <see cref="Refusal"/>), keeps serving
/// status, and says why in <c>/health/ready</c>, the metrics and the log. Set by the loop, read by any thread.
/// </summary>
public sealed class JournalStatus
{
    private readonly Lock _lock = new();
    private string? _problem;
    private DateTimeOffset? _since;
    private long _outages;

    /// <summary>Why writes fail, or null while they succeed.</summary>
    public string? Problem
    {
        get
        {
            lock (_lock)
            {
                return _problem;
            }
        }
    }

    /// <summary>Outages since the scheduler started.</summary>
    public long Outages => Interlocked.Read(ref _outages);

    /// <summary>What a refused request, or a readiness probe, is told; null while writes succeed.</summary>
    public string? Refusal
    {
        get
        {
            lock (_lock)
            {
                return _problem is null ? null : $"the journal cannot write since {_since:HH:mm:ss} UTC ({_problem}); nothing is accepted until it can";
            }
        }
    }

    /// <summary>A write failed; the first failure of an outage starts it, later ones update the reason.</summary>
    public void Failing(string reason, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_problem is null)
            {
                _since = now;
                Interlocked.Increment(ref _outages);
            }

            _problem = reason;
        }
    }

    /// <summary>A write succeeded again.</summary>
    public void Writable()
    {
        lock (_lock)
        {
            _problem = null;
            _since = null;
        }
    }
}
