namespace TaskScheduler.Scheduler.Core.Dispatching;

/// <summary>
/// What each tenant group runs and may start: the running counts a dispatch round takes (<see cref="Count"/>), each
/// group's weight, and its limits (tasks running at once; starts per second as a token bucket that holds a second's
/// worth). The group with the lowest running / weight is the most under-served: it gets the next free slot.
/// </summary>
public sealed class GroupShares
{
    /// <summary>The name of the group of tasks that name none, in configuration and views.</summary>
    public const string DefaultGroup = "default";

    private readonly IReadOnlyDictionary<string, GroupPolicy> _policies;
    private readonly Dictionary<string, int> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (double Tokens, DateTimeOffset At)> _buckets = new(StringComparer.Ordinal);

    public GroupShares(IReadOnlyDictionary<string, GroupPolicy>? policies = null)
    {
        _policies = policies ?? new Dictionary<string, GroupPolicy>();
        HasLimits = _policies.Values.Any(p => p.HasLimits);
    }

    /// <summary>True when some group has a limit: then every round counts what each group runs.</summary>
    public bool HasLimits { get; }

    public IReadOnlyDictionary<string, GroupPolicy> Policies => _policies;

    public static string NameOf(string? group) => group ?? DefaultGroup;

    public GroupPolicy PolicyOf(string? group) => _policies.GetValueOrDefault(NameOf(group)) ?? GroupPolicy.Default;

    /// <summary>Takes the groups of the tasks running now, one entry per task.</summary>
    public void Count(IEnumerable<string?> runningGroups)
    {
        _running.Clear();
        foreach (var group in runningGroups)
        {
            var name = NameOf(group);
            _running[name] = _running.GetValueOrDefault(name) + 1;
        }
    }

    public int Running(string? group) => _running.GetValueOrDefault(NameOf(group));

    /// <summary>Running tasks per unit of weight: lower means further below its share.</summary>
    public double Usage(string? group) => Running(group) / Math.Max(PolicyOf(group).Weight, 1e-9);

    /// <summary>False when the group runs its maximum, or has used up its starts for now.</summary>
    public bool CanStart(string? group, DateTimeOffset now)
    {
        var policy = PolicyOf(group);
        if (!policy.HasLimits)
        {
            return true;
        }

        if (policy.MaxRunning is { } max && Running(group) >= max)
        {
            return false;
        }

        return policy.MaxStartsPerSecond is not { } rate || Tokens(NameOf(group), rate, now) >= 1;
    }

    /// <summary>A task of the group was given a slot.</summary>
    public void Started(string? group, DateTimeOffset now)
    {
        var name = NameOf(group);
        _running[name] = _running.GetValueOrDefault(name) + 1;
        if (PolicyOf(group).MaxStartsPerSecond is { } rate)
        {
            _buckets[name] = (Tokens(name, rate, now) - 1, now);
        }
    }

    private double Tokens(string name, double rate, DateTimeOffset now)
    {
        var burst = Math.Max(1, rate);
        if (!_buckets.TryGetValue(name, out var bucket))
        {
            return burst;
        }

        var refilled = bucket.Tokens + (Math.Max(0, (now - bucket.At).TotalSeconds) * rate);
        return Math.Min(burst, refilled);
    }
}
