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

    public static bool TryParse(string? text, out TimeSpan timeout, out string? problem)
    {
        timeout = TimeSpan.Zero;
        problem = null;
        var value = text?.Trim() ?? "";
        bool parsed;
        if (value.StartsWith('P') || value.StartsWith("-P", StringComparison.Ordinal))
        {
            try
            {
                timeout = XmlConvert.ToTimeSpan(value);
                parsed = true;
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                parsed = false;
            }
        }
        else
        {
            parsed = TimeSpan.TryParseExact(value, ["c", "g"], CultureInfo.InvariantCulture, out timeout) && value.Contains(':', StringComparison.Ordinal);
        }

        if (!parsed)
        {
            problem = $"'{Shorten(value)}' is not a duration (ISO 8601 such as PT5M, or hh:mm:ss)";
            return false;
        }

        if (timeout < TimeSpan.FromMilliseconds(1) || timeout > Max)
        {
            problem = $"a timeout is between 1 ms and {Max.TotalDays:0} days, not {Shorten(value)}";
            return false;
        }

        return true;
    }

    /// <summary>The ISO 8601 form, as the wire and the API write it.</summary>
    public static string Format(TimeSpan timeout) => XmlConvert.ToString(timeout);

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");
}
