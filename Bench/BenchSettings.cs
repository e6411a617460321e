using TaskScheduler.Bench.Traffic;

namespace TaskScheduler.Bench;

/// <summary>What one bench run does, as parsed from the command line.</summary>
public sealed record BenchSettings
{
    /// <summary>Submit this many tasks; null when the run is bounded by <see cref="Duration"/> instead.</summary>
    public int? Tasks { get; init; }

    /// <summary>Keep submitting for this long; null when the run is bounded by <see cref="Tasks"/>.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Open loop: submit at this many tasks per second whatever happens. Null: as fast as possible.</summary>
    public double? Rate { get; init; }

    public int PayloadBytes { get; init; } = 100;

    public PriorityMix Priorities { get; init; } = PriorityMix.Only(0);

    /// <summary>Simulated run time asked of the workers; null leaves it to the workers' own settings.</summary>
    public RunTimeRange? RunTime { get; init; }

    /// <summary>Tasks to a message: 1 publishes each task alone; more sends batches (<c>submit-batch</c>) of this many.</summary>
    public int Batch { get; init; } = 1;

    /// <summary>Submissions (messages) published and not yet confirmed by the broker.</summary>
    public int Window { get; init; } = 256;

    /// <summary>Tasks submitted and not yet finished; as-fast-as-possible runs wait below it (a closed loop).</summary>
    public int MaxOutstanding { get; init; } = 20_000;

    /// <summary>Give up waiting for tasks to finish this long after the last submission.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Wait only until every task is accepted, not until it has run: to build (and measure) a backlog.</summary>
    public bool AcceptOnly { get; init; }

    /// <summary>Tenant groups the tasks are spread over, round-robin; 0 submits plain tasks.</summary>
    public int Groups { get; init; }

    /// <summary>How long to measure the broker's one-hop rate before the run; zero skips it.</summary>
    public TimeSpan CeilingDuration { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Read the broker's management API for the messages and bytes the run cost.</summary>
    public bool CountBrokerTraffic { get; init; } = true;

    /// <summary>The management API's URL (credentials may be in it); null: the broker's host on port 15672.</summary>
    public string? ManagementUrl { get; init; }

    /// <summary>How long to wait after the run for the broker's counters to show all of it.</summary>
    public TimeSpan ManagementSettle { get; init; } = TrafficMeter.DefaultSettle;

    public string Mode => (Rate is { } r ? $"open loop at {r:0.#}/s" : "as fast as possible") + (Duration is { } d ? $" for {DurationText.Format(d)}" : $", {Tasks} tasks")
        + (Batch > 1 ? $", {Batch} tasks a message" : "") + (AcceptOnly ? ", until accepted" : "");
}
