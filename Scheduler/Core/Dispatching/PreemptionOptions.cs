namespace TaskScheduler.Scheduler.Core.Dispatching;

/// <summary>
/// When a pending task may take the slot of a running one (the <c>Scheduler:Preemption</c> section). The guards
/// keep the system from thrashing: a task runs a while before it can be preempted, is preempted a bounded number
/// of times, and is left alone when it is about to finish.
/// </summary>
public sealed class PreemptionOptions
{
    public static readonly PreemptionOptions Default = new();

    public static readonly PreemptionOptions Disabled = new() { Enabled = false };

    public bool Enabled { get; init; } = true;

    /// <summary>A pending task preempts a running one only if its priority is higher by at least this much.</summary>
    public int PriorityMargin { get; init; } = 1;

    /// <summary>A task runs at least this long before it can be preempted.</summary>
    public TimeSpan MinRunTime { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A task preempted this many times runs to its end.</summary>
    public int MaxPerTask { get; init; } = 3;

    /// <summary>A task its worker expects to finish within this time is not preempted.</summary>
    public TimeSpan FinishingWithin { get; init; } = TimeSpan.FromSeconds(5);

    public IEnumerable<string> Validate(string section)
    {
        if (PriorityMargin < 1)
        {
            yield return $"{section}:PriorityMargin must be at least 1, not {PriorityMargin}";
        }

        if (MinRunTime < TimeSpan.Zero || FinishingWithin < TimeSpan.Zero)
        {
            yield return $"{section}:MinRunTime and {section}:FinishingWithin must not be negative";
        }

        if (MaxPerTask < 0)
        {
            yield return $"{section}:MaxPerTask must not be negative, not {MaxPerTask}";
        }
    }
}
