using TaskScheduler.Contracts;

namespace TaskScheduler.Scheduler.Autoscaling;

/// <summary>The <c>Autoscale</c> configuration section: how the desired-worker figure is computed.</summary>
public sealed class AutoscaleOptions
{
    public const string Section = "Autoscale";

    /// <summary>Fewest workers ever asked for, even when idle.</summary>
    public int MinWorkers { get; set; } = 1;

    /// <summary>Most workers ever asked for, however long the backlog.</summary>
    public int MaxWorkers { get; set; } = 10;

    /// <summary>How soon a backlog should be worked off: the backlog's work divided by this is the slots it needs.</summary>
    public TimeSpan TargetBacklogTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a lower figure must hold before it is published; a higher one is published at once.</summary>
    public TimeSpan ScaleInCooldown { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Time constant of the smoothing of arrival rate and run time: older observations fade with it.</summary>
    public TimeSpan Smoothing { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Run time assumed until the first task has finished.</summary>
    public TimeSpan DefaultRunTime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Slots per worker assumed while no worker is alive to tell its own capacity.</summary>
    public int WorkerCapacity { get; set; } = 4;

    public IEnumerable<string> Validate()
    {
        if (MinWorkers < 0)
        {
            yield return $"{Section}:MinWorkers must not be negative, not {MinWorkers}";
        }

        if (MaxWorkers < Math.Max(1, MinWorkers))
        {
            yield return $"{Section}:MaxWorkers must be at least 1 and at least {Section}:MinWorkers, not {MaxWorkers}";
        }

        if (TargetBacklogTime <= TimeSpan.Zero || Smoothing <= TimeSpan.Zero || DefaultRunTime <= TimeSpan.Zero)
        {
            yield return $"{Section}:TargetBacklogTime, {Section}:Smoothing and {Section}:DefaultRunTime must be positive";
        }

        if (ScaleInCooldown < TimeSpan.Zero)
        {
            yield return $"{Section}:ScaleInCooldown must not be negative, not '{ScaleInCooldown}'";
        }

        if (WorkerCapacity is < 1 or > Limits.MaxWorkerCapacity)
        {
            yield return $"{Section}:WorkerCapacity must be between 1 and {Limits.MaxWorkerCapacity}, not {WorkerCapacity}";
        }
    }
}
