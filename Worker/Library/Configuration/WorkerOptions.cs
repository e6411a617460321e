using TaskScheduler.Contracts;

namespace TaskScheduler.Worker.Configuration;

/// <summary>The <c>Worker</c> configuration section.</summary>
public sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>Unique name of this worker; its queues are named after it. Defaults to host name and a random suffix.</summary>
    public string Id { get; set; } = $"{Sanitize(Environment.MachineName)}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>
    /// Worker nodes this process hosts, each with its own id, queues, heartbeat and capacity: a whole pool in one
    /// process for scale tests. With more than one, node N is named <c>{Id}-N</c>.
    /// </summary>
    public int Nodes { get; set; } = 1;

    /// <summary>Tasks run at once, 1 to 10; also the prefetch of the worker's queue.</summary>
    public int Capacity { get; set; } = 4;

    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a heartbeat may wait in the broker for the scheduler: an older one says nothing the next does not, so
    /// while the scheduler is down they expire instead of piling up. Keep it well above the scheduler's liveness window.
    /// </summary>
    public TimeSpan HeartbeatTtl { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long this worker's queues outlive it unused (<c>x-expires</c>): a worker killed while no scheduler was there
    /// to delete its queues leaves none behind. Keep it well above the scheduler's liveness window; the scheduler
    /// deletes the queues of workers that leave or are declared dead at once.
    /// </summary>
    public TimeSpan QueueExpiry { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// What this worker offers, comma-separated (<c>gpu,eu-west</c>): tasks that require tags run only on workers that
    /// have them all. The set names the worker's pool. None by default.
    /// </summary>
    public string? Tags { get; set; }

    /// <summary>The tags of <see cref="Tags"/>, sorted; null when one is invalid.</summary>
    public IReadOnlyList<string>? TagList =>
        TagNames.Normalize((Tags ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>
    /// How long a handler whose token fired (preempted, cancelled, timed out, draining) may take to return before
    /// the attempt is given up on: handed back with its last checkpoint, or failed, and its slot freed.
    /// </summary>
    public TimeSpan PreemptGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an attempt may run when its task names no timeout; null (the default) for no limit.</summary>
    public TimeSpan? DefaultTimeout { get; set; }

    /// <summary>On stop, how long running tasks may take to finish before they are handed back.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public const int MaxNodes = 1000;

    /// <summary>The settings of node <paramref name="node"/> (1-based) of this process: the same but for its id.</summary>
    internal WorkerOptions ForNode(int node)
    {
        if (Nodes == 1)
        {
            return this;
        }

        var copy = (WorkerOptions)MemberwiseClone();
        copy.Id = NodeId(node);
        copy.Nodes = 1;
        return copy;
    }

    public IEnumerable<string> Validate()
    {
        if (!Limits.IsValidWorkerId(Id) || (Nodes > 1 && !Limits.IsValidWorkerId(NodeId(Nodes))))
        {
            var longest = Nodes > 1 ? $" (with the node suffix: '{NodeId(Nodes)}')" : "";
            yield return $"{Section}:Id must be 1 to {Limits.MaxWorkerIdLength} letters, digits, '-' or '_', not '{Id}'{longest}";
        }

        if (Nodes is < 1 or > MaxNodes)
        {
            yield return $"{Section}:Nodes must be between 1 and {MaxNodes}, not {Nodes}";
        }

        if (Capacity is < 1 or > Limits.MaxWorkerCapacity)
        {
            yield return $"{Section}:Capacity must be between 1 and {Limits.MaxWorkerCapacity}, not {Capacity}";
        }

        if (TagList is null)
        {
            yield return $"{Section}:Tags must be at most {TagNames.MaxTags} comma-separated tags of letters, digits and -_.: (up to {TagNames.MaxLength} characters each), not '{Tags}'";
        }

        if (HeartbeatInterval <= TimeSpan.Zero)
        {
            yield return $"{Section}:HeartbeatInterval must be positive, not '{HeartbeatInterval}'";
        }

        if (HeartbeatTtl < TimeSpan.FromSeconds(1) || HeartbeatTtl > Limits.MaxBrokerDuration)
        {
            yield return $"{Section}:HeartbeatTtl must be between 1 second and {Limits.MaxBrokerDuration.TotalDays:0} days, not '{HeartbeatTtl}'";
        }

        if (QueueExpiry < TimeSpan.FromSeconds(1) || QueueExpiry > Limits.MaxBrokerDuration)
        {
            yield return $"{Section}:QueueExpiry must be between 1 second and {Limits.MaxBrokerDuration.TotalDays:0} days, not '{QueueExpiry}'";
        }

        if (PreemptGrace < TimeSpan.Zero)
        {
            yield return $"{Section}:PreemptGrace must not be negative";
        }

        if (DefaultTimeout is { } timeout && (timeout <= TimeSpan.Zero || timeout > TaskTimeout.Max))
        {
            yield return $"{Section}:DefaultTimeout must be positive and at most {TaskTimeout.Max.TotalDays:0} days, not '{timeout}'";
        }

        if (DrainTimeout < TimeSpan.Zero)
        {
            yield return $"{Section}:DrainTimeout must not be negative";
        }
    }

    private string NodeId(int node) => $"{Id}-{node}";

    private static string Sanitize(string name)
    {
        var clean = new string([.. name.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')]);
        return clean.Length == 0 ? "worker" : clean[..Math.Min(clean.Length, 40)];
    }
}
