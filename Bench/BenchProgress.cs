namespace TaskScheduler.Bench;

/// <summary>Counters the run updates as it goes, read by whatever shows progress.</summary>
public sealed class BenchProgress
{
    private long _submitted;
    private long _accepted;
    private long _finished;

    public string Phase { get; set; } = "starting";

    public long Submitted => Interlocked.Read(ref _submitted);

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Finished => Interlocked.Read(ref _finished);

    /// <summary>How many tasks the run will submit, when known in advance.</summary>
    public long? Target { get; init; }

    /// <summary>How long the run submits, when it is bounded by time.</summary>
    public TimeSpan? Duration { get; init; }

    public Func<TimeSpan> Elapsed { get; set; } = () => TimeSpan.Zero;

    public void CountSubmitted(int tasks = 1) => Interlocked.Add(ref _submitted, tasks);

    public void CountAccepted() => Interlocked.Increment(ref _accepted);

    public void CountFinished() => Interlocked.Increment(ref _finished);
}
