namespace TaskScheduler.Scheduler.Core.Queueing;

/// <summary>
/// Backoff between the retries of a task that failed (the <c>Scheduler:Retry</c> section): the first retry waits
/// <see cref="InitialBackoff"/>, each next one twice as long, never more than <see cref="MaxBackoff"/>.
/// </summary>
public sealed class RetryOptions
{
    public static readonly RetryOptions Default = new();

    /// <summary>The most retries a task may ask for.</summary>
    public const int MaxRetriesPerTask = 100;

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The wait before retry number <paramref name="retry"/> (1 for the first).</summary>
    public TimeSpan Backoff(int retry)
    {
        var factor = Math.Pow(2, Math.Clamp(retry - 1, 0, 62));
        var ticks = Math.Min(InitialBackoff.Ticks * factor, MaxBackoff.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    public IEnumerable<string> Validate(string section)
    {
        if (InitialBackoff < TimeSpan.Zero || MaxBackoff < InitialBackoff)
        {
            yield return $"{section}:InitialBackoff must not be negative and {section}:MaxBackoff must be at least InitialBackoff";
        }
    }
}
