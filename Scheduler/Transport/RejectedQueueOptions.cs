using TaskScheduler.Contracts;

namespace TaskScheduler.Scheduler.Transport;

/// <summary>
/// Bounds of <c>tasks.submit.rejected</c> (the <c>Scheduler:RejectedQueue</c> section): nobody may ever read it, so a
/// producer that keeps sending bad messages must not fill the broker. Past either bound the oldest copies go first.
/// </summary>
public sealed class RejectedQueueOptions
{
    /// <summary>The most rejected copies kept (<c>x-max-length</c>, oldest dropped first).</summary>
    public int MaxLength { get; set; } = 100_000;

    /// <summary>The most bytes of rejected copies kept (<c>x-max-length-bytes</c>, oldest dropped first).</summary>
    public long MaxBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>How long a rejected copy is kept (<c>x-message-ttl</c>).</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The queue arguments that enforce these bounds.</summary>
    public IReadOnlyDictionary<string, object?> QueueBounds() => new Dictionary<string, object?>
    {
        ["x-max-length"] = MaxLength,
        ["x-max-length-bytes"] = MaxBytes,
        ["x-overflow"] = "drop-head",
        ["x-message-ttl"] = (int)Ttl.TotalMilliseconds,
    };

    public IEnumerable<string> Validate(string section)
    {
        if (MaxLength < 1 || MaxBytes < 1)
        {
            yield return $"{section}:MaxLength and {section}:MaxBytes must be positive";
        }

        if (Ttl < TimeSpan.FromSeconds(1) || Ttl > Limits.MaxBrokerDuration)
        {
            yield return $"{section}:Ttl must be between 1 second and {Limits.MaxBrokerDuration.TotalDays:0} days, not '{Ttl}'";
        }
    }
}
