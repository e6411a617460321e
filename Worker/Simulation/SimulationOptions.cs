using TaskScheduler.Worker.Configuration;

namespace TaskScheduler.Worker.Simulation;

/// <summary>The simulated handler's settings, in the <c>Worker</c> section beside the worker's own.</summary>
public sealed class SimulationOptions
{
    /// <summary>Shortest simulated run time.</summary>
    public TimeSpan MinRunTime { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest simulated run time.</summary>
    public TimeSpan MaxRunTime { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Fraction of payloads whose simulated run fails, 0 to 1.</summary>
    public double FailureRate { get; set; } = 0.05;

    public IEnumerable<string> Validate()
    {
        if (MinRunTime < TimeSpan.Zero || MaxRunTime < MinRunTime)
        {
            yield return $"{WorkerOptions.Section}:MinRunTime must be at least 0 and {WorkerOptions.Section}:MaxRunTime at least MinRunTime";
        }

        if (FailureRate is < 0 or > 1 || double.IsNaN(FailureRate))
        {
            yield return $"{WorkerOptions.Section}:FailureRate must be between 0 and 1, not {FailureRate}";
        }
    }
}
