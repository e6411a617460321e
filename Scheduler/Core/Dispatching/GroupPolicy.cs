namespace TaskScheduler.Scheduler.Core.Dispatching;

/// <summary>
/// How a tenant group shares the workers (<c>Scheduler:Groups:{name}</c>): its weight (its share of the slots relative
/// to the other groups with pending work at the same priority), and optional limits on the tasks it runs at once
/// and on the tasks it may start per second.
/// </summary>
public sealed class GroupPolicy
{
    public static readonly GroupPolicy Default = new();

    public double Weight { get; init; } = 1;

    public int? MaxRunning { get; init; }

    public double? MaxStartsPerSecond { get; init; }

    public bool HasLimits => MaxRunning is not null || MaxStartsPerSecond is not null;

    public IEnumerable<string> Validate(string section)
    {
        if (!Contracts.TagNames.IsValid(section[(section.LastIndexOf(':') + 1)..]))
        {
            yield return $"{section}: a group name is letters, digits and -_.: up to {Contracts.TagNames.MaxLength} characters";
        }

        if (!(Weight > 0) || double.IsInfinity(Weight))
        {
            yield return $"{section}:Weight must be positive, not {Weight}";
        }

        if (MaxRunning is < 1)
        {
            yield return $"{section}:MaxRunning must be at least 1, not {MaxRunning}";
        }

        if (MaxStartsPerSecond is { } rate && (!(rate > 0) || double.IsInfinity(rate)))
        {
            yield return $"{section}:MaxStartsPerSecond must be positive, not {rate}";
        }
    }
}
