using TaskScheduler.Bench;
using TaskScheduler.Contracts;

namespace TaskScheduler.Cli.Invocation;

/// <summary>
/// A task's timeout as <c>--timeout</c> takes it: as people type durations (<c>90s</c>, <c>5m</c>, <c>1h</c>), or as the
/// wire does (ISO 8601 <c>PT5M</c>, <c>hh:mm:ss</c>); within <see cref="TaskTimeout"/>'s bounds.
/// </summary>
public static class TimeoutText
{
    public static bool TryParse(string? text, out TimeSpan timeout, out string? problem)
    {
        var value = text?.Trim() ?? "";
        if (value.Length > 0 && char.IsAsciiDigit(value[0]) && !value.Contains(':', StringComparison.Ordinal) && DurationText.TryParse(value, out timeout))
        {
            // Checked like the wire form, so both say the same about a value out of bounds.
            value = TaskTimeout.Format(timeout);
        }

        if (TaskTimeout.TryParse(value.ToUpperInvariant(), out timeout, out problem))
        {
            return true;
        }

        problem = problem!.Contains("not a duration", StringComparison.Ordinal)
            ? $"--timeout takes a duration such as 90s, 5m, PT5M or 00:05:00, not '{text}'"
            : $"--timeout: {problem}";
        return false;
    }
}
