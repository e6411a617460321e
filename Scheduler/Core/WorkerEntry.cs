namespace TaskScheduler.Scheduler.Core;

/// <summary>One worker as the scheduler tracks it: capacity, what it holds, and when it was last heard.</summary>
public sealed class WorkerEntry
{
    private readonly HashSet<Guid> _inFlight = [];

    public WorkerEntry(string id, int capacity, DateTimeOffset now, bool confirmed)
    {
        Id = id;
        Capacity = capacity;
        LastSeen = now;
        IdleSince = now;
        Confirmed = confirmed;
    }

    public string Id { get; }

    public int Capacity { get; set; }

    /// <summary>
    /// False for a worker known only from the journal after a restart: it gets no work until it heartbeats.
    /// </summary>
    public bool Confirmed { get; set; }

    public bool Draining { get; set; }

    public DateTimeOffset LastSeen { get; set; }

    /// <summary>
    /// The latest time the worker itself put on a joined or heartbeat message: a "joined" older than this was
    /// redelivered by the broker, not sent by a new process.
    /// </summary>
    public DateTimeOffset LastReportedAt { get; set; } = DateTimeOffset.MinValue;

    /// <summary>When the worker last had a slot freed or got its last task: ties go to whoever waited longest.</summary>
    public DateTimeOffset IdleSince { get; set; }

    public long Completed { get; set; }

    public long Failed { get; set; }

    public IReadOnlyCollection<Guid> InFlight => _inFlight;

    public int FreeSlots => Math.Max(0, Capacity - _inFlight.Count);

    public bool CanTakeWork => Confirmed && !Draining && FreeSlots > 0;

    /// <summary>Load as a fraction of capacity, the fair-share key.</summary>
    public double LoadRatio => Capacity == 0 ? 1 : (double)_inFlight.Count / Capacity;

    public void Hold(Guid taskId)
    {
        if (_inFlight.Count >= Capacity)
        {
            throw new InvalidOperationException($"Worker {Id} is full ({_inFlight.Count}/{Capacity}).");
        }

        _inFlight.Add(taskId);
    }

    public bool Release(Guid taskId) => _inFlight.Remove(taskId);

    public bool Holds(Guid taskId) => _inFlight.Contains(taskId);

    /// <summary>Restores a hold recorded in the journal, before the worker has told us its capacity.</summary>
    public void RestoreHold(Guid taskId) => _inFlight.Add(taskId);
}
