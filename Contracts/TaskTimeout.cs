using System.Globalization;
using System.Xml;

namespace TaskScheduler.Contracts;

/// <summary>
/// A task's timeout as producers write it: an ISO 8601 duration (<c>PT5M</c>, <c>P1DT2H</c>) or <c>[d.]hh:mm:ss[.fff]</c>,
/// from one millisecond to <see cref="Max"/>.
/// </summary>
public static class TaskTimeout
{
    public static readonly TimeSpan Max = TimeSpan.FromDays(30);

    public static bool TryParse(string? text, out TimeSpan timeout, out string? problem) =>
        TryParse(text, TimeSpan.FromMilliseconds(1), Max, "a timeout", out timeout, out problem);

    /// <summary>Reads a duration as producers write it, between <paramref name="min"/> and <paramref name="max"/>.</summary>
    public static bool TryParse(string? text, TimeSpan min, TimeSpan max, string what, out TimeSpan duration, out string? problem)
    {
        duration = TimeSpan.Zero;
        problem = null;
        var value = text?.Trim() ?? "";
        bool parsed;
        if (value.StartsWith('P') || value.StartsWith("-P", StringComparison.Ordinal))
        {
            try
            {
                duration = XmlConvert.ToTimeSpan(value);
                parsed = true;
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                parsed = false;
            }
        }
        else
        {
            parsed = TimeSpan.TryParseExact(value, ["c", "g"], CultureInfo.InvariantCulture, out duration) && value.Contains(':', StringComparison.Ordinal);
        }

        if (!parsed)
        {
            problem = $"'{Shorten(value)}' is not a duration (ISO 8601 such as PT5M, or hh:mm:ss)";
            return false;
        }

        if (duration < min || duration > max)
        {
            problem = $"{what} is between {Describe(min)} and {Describe(max)}, not {Shorten(value)}";
            return false;
        }

        return true;
    }

    /// <summary>The ISO 8601 form, as the wire and the API write it.</summary>
    public static string Format(TimeSpan timeout) => XmlConvert.ToString(timeout);

    private static string Describe(TimeSpan span) =>
        span == TimeSpan.Zero ? "0" : span.TotalDays >= 1 ? $"{span.TotalDays:0} days" : span.TotalMilliseconds < 1000 ? $"{span.TotalMilliseconds:0} ms" : span.ToString("c", CultureInfo.InvariantCulture);

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");
}
