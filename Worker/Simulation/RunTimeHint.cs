using System.Globalization;

namespace TaskScheduler.Worker.Simulation;

/// <summary>
/// A payload convention understood by the simulated worker: a payload that starts with <c>sim:run=250ms;</c> runs
/// for exactly 250 ms instead of a time derived from its hash. The benchmark uses it to ask for run times; people
/// can use it to try long or short tasks by hand. Anything after the semicolon is the rest of the payload.
/// </summary>
public static class RunTimeHint
{
    public const string Prefix = "sim:run=";

    /// <summary>Longest run a hint may ask for; longer hints are ignored like any other payload text.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(1);

    /// <summary>The hint for <paramref name="runTime"/>, to be followed by the rest of the payload.</summary>
    public static string Format(TimeSpan runTime)
    {
        if (runTime < TimeSpan.Zero || runTime > Max)
        {
            throw new ArgumentOutOfRangeException(nameof(runTime), runTime, $"a run time hint is between 0 and {Max}");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}{(long)runTime.TotalMilliseconds}ms;");
    }

    /// <summary>Reads the hint at the start of <paramref name="payload"/>; false when there is none (or it is malformed).</summary>
    public static bool TryRead(string payload, out TimeSpan runTime)
    {
        runTime = TimeSpan.Zero;
        if (!payload.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = payload.AsSpan(Prefix.Length);
        var end = rest.IndexOf(';');
        var value = end < 0 ? rest : rest[..end];
        if (!value.EndsWith("ms", StringComparison.Ordinal)
            || !long.TryParse(value[..^2], NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            || milliseconds > (long)Max.TotalMilliseconds)
        {
            return false;
        }

        runTime = TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }
}
