namespace TaskScheduler.Bench;

/// <summary>
/// The simulated run time the bench asks for: one value (<c>0ms</c>) or a range (<c>1ms..5s</c>) from which each
/// task draws its own, uniformly. Sent to the worker as a <see cref="RunTimeHint"/> in the payload.
/// </summary>
public sealed record RunTimeRange(TimeSpan Min, TimeSpan Max)
{
    public static bool TryParse(string text, out RunTimeRange? range, out string? problem)
    {
        range = null;
        problem = null;
        var parts = text.Split("..", 2);
        if (!DurationText.TryParse(parts[0], out var min) || !DurationText.TryParse(parts[^1], out var max))
        {
            problem = $"--run-time takes a duration (250ms, 2s) or a range (1ms..5s), not '{text}'";
            return false;
        }

        if (max < min || max > RunTimeHint.Max)
        {
            problem = $"--run-time range '{text}' must go from low to high, at most {RunTimeHint.Max.TotalHours} hours";
            return false;
        }

        range = new RunTimeRange(min, max);
        return true;
    }

    public bool IsFixed => Min == Max;

    /// <summary>A run time for one task, whole milliseconds, as the hint carries them.</summary>
    public TimeSpan Draw(Random random)
    {
        var low = (long)Min.TotalMilliseconds;
        var high = (long)Max.TotalMilliseconds;
        return TimeSpan.FromMilliseconds(low == high ? low : random.NextInt64(low, high + 1));
    }

    public override string ToString() => IsFixed ? DurationText.Format(Min) : $"{DurationText.Format(Min)}..{DurationText.Format(Max)}";
}
