namespace TaskScheduler.Scheduler.Core.Liveness;

/// <summary>One worker as the scheduler tracks it: capacity, what it holds, and when it was last heard.</summary>
public sealed class WorkerEntry
{
    private readonly HashSet<Guid> _inFlight = [];

    // Attempts of cancelled tasks the worker may still be stopping: their slots are not free until it has.
    private readonly Dictionary<(Guid TaskId, int Attempt), DateTimeOffset> _stopping = [];

    // Attempts whose end the worker has reported. It lists an attempt in its heartbeats until its report is confirmed
    // (so reconciliation never requeues an attempt whose result is still on its way): a heartbeat or two may still
    // name one after its result was applied. Forgotten once a heartbeat no longer lists them.
    private readonly HashSet<(Guid TaskId, int Attempt)> _reported = [];

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

    /// <summary>
    /// The time on the heartbeat that registered the worker (its own clock), while no message has yet shown that its
    /// queues exist; null once one has (a joined, or a heartbeat sent later).
    /// </summary>
    public DateTimeOffset? QueuesUnprovenSince { get; private set; }

    /// <summary>A heartbeat sent at <paramref name="reportedAt"/> registered the worker: its queues may not exist yet.</summary>
    public void AwaitQueues(DateTimeOffset reportedAt) => QueuesUnprovenSince = reportedAt;

    /// <summary>The worker said it joined, which it does only once its queues are declared and consumed.</summary>
    public void QueuesDeclared() => QueuesUnprovenSince = null;

    /// <summary>
    /// True when the worker's queues can be taken to exist after a heartbeat sent at <paramref name="reportedAt"/>:
    /// none was in doubt, or the heartbeat was sent at least <paramref name="gap"/> after the one that registered it
    /// (a worker declares its queues as soon as it learns they are lost, well within a heartbeat interval).
    /// </summary>
    public bool QueuesProvenBy(DateTimeOffset reportedAt, TimeSpan gap)
    {
        if (QueuesUnprovenSince is { } since && reportedAt - since < gap)
        {
            return false;
        }

        QueuesUnprovenSince = null;
        return true;
    }

    /// <summary>When the scheduler last applied a message from the worker.</summary>
    public DateTimeOffset LastSeen { get; private set; }

    /// <summary>
    /// Silence since <see cref="LastSeen"/> that the scheduler caused (it was frozen or stalled and read nothing):
    /// not counted against the worker.
    /// </summary>
    public TimeSpan Excused { get; private set; }

    /// <summary>
    /// The latest time the worker itself put on a joined or heartbeat message: a "joined" older than this was
    /// redelivered by the broker, not sent by a new process.
    /// </summary>
    public DateTimeOffset LastReportedAt { get; set; } = DateTimeOffset.MinValue;

    /// <summary>When the worker last had a slot freed or got its last task: ties go to whoever waited longest.</summary>
    public DateTimeOffset IdleSince { get; set; }

    /// <summary>The tags the worker advertises, sorted: it runs tasks that require any of them.</summary>
    public IReadOnlyList<string> Tags { get; private set; } = [];

    /// <summary>The tags sent in the worker's latest joined or heartbeat message; invalid ones leave it without tags.</summary>
    public void Advertise(IReadOnlyList<string>? tags)
    {
        if (tags is null || tags.Count == 0)
        {
            Tags = [];
        }
        else if (!tags.SequenceEqual(Tags, StringComparer.Ordinal))
        {
            Tags = TaskScheduler.Contracts.TagNames.Normalize(tags) ?? [];
        }
    }

    public long Completed { get; set; }

    public long Failed { get; set; }

    public IReadOnlyCollection<Guid> InFlight => _inFlight;

    /// <summary>A message from the worker was applied: its silence starts again from now.</summary>
    public void Heard(DateTimeOffset now)
    {
        LastSeen = now;
        Excused = TimeSpan.Zero;
    }

    /// <summary>
    /// The scheduler read nothing from <paramref name="from"/> to <paramref name="now"/>: the part of that stretch
    /// after the worker was last heard is not its silence.
    /// </summary>
    public void Excuse(DateTimeOffset from, DateTimeOffset now)
    {
        var start = from > LastSeen ? from : LastSeen;
        if (now > start)
        {
            Excused += now - start;
        }
    }

    /// <summary>How long the worker has been silent, less what the scheduler excused.</summary>
    public TimeSpan SilenceSince(DateTimeOffset heardFrom, DateTimeOffset now) => now - heardFrom - Excused;

    /// <summary>Cancelled attempts the worker has not yet been seen to stop.</summary>
    public int Stopping => _stopping.Count;

    /// <summary>Slots taken: tasks it runs for us, and cancelled attempts it may still be stopping.</summary>
    public int Occupied => _inFlight.Count + _stopping.Count;

    public int FreeSlots => Math.Max(0, Capacity - Occupied);

    public bool CanTakeWork => Confirmed && !Draining && FreeSlots > 0;

    /// <summary>Load as a fraction of capacity, the fair-share key.</summary>
    public double LoadRatio => Capacity == 0 ? 1 : (double)Occupied / Capacity;

    public void Hold(Guid taskId)
    {
        if (Occupied >= Capacity)
        {
            throw new InvalidOperationException($"Worker {Id} is full ({Occupied}/{Capacity}).");
        }

        _inFlight.Add(taskId);
    }

    public bool Release(Guid taskId) => _inFlight.Remove(taskId);

    public bool Holds(Guid taskId) => _inFlight.Contains(taskId);

    /// <summary>Restores a hold recorded in the journal, before the worker has told us its capacity.</summary>
    public void RestoreHold(Guid taskId) => _inFlight.Add(taskId);

    /// <summary>The task was cancelled while this worker ran it: its slot stays taken until the worker has stopped.</summary>
    public void Stop(Guid taskId, int attempt, DateTimeOffset now)
    {
        _inFlight.Remove(taskId);
        _stopping[(taskId, attempt)] = now;
    }

    /// <summary>The worker reported the attempt's end (a result, a pause): it is not running it any more.</summary>
    public void Stopped(Guid taskId, int attempt)
    {
        _stopping.Remove((taskId, attempt));
        _reported.Add((taskId, attempt));
    }

    /// <summary>True when the worker has reported the end of this attempt: a heartbeat naming it is merely late.</summary>
    public bool HasReportedEnd(Guid taskId, int attempt) => _reported.Contains((taskId, attempt));

    /// <summary>A new process under this id runs nothing of its predecessor's.</summary>
    public void ClearStopping()
    {
        _stopping.Clear();
        _reported.Clear();
    }

    /// <summary>
    /// A heartbeat lists what the worker runs: a cancelled attempt missing from it has stopped. One older than
    /// <paramref name="grace"/> is released whatever the worker says; should it still run, the heartbeat's
    /// reconciliation cancels it again. A reported attempt the heartbeat no longer lists is forgotten.
    /// </summary>
    public void ReconcileStopping(IReadOnlySet<(Guid, int)> claimed, DateTimeOffset now, TimeSpan grace)
    {
        _reported.RemoveWhere(key => !claimed.Contains(key));
        foreach (var (key, since) in _stopping.ToList())
        {
            if (!claimed.Contains(key) || now - since > grace)
            {
                _stopping.Remove(key);
            }
        }
    }
}
