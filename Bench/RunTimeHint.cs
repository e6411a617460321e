using System.Globalization;

namespace TaskScheduler.Bench;

/// <summary>
/// The payload prefix the simulated worker handler reads as its run time (<c>sim:run=250ms;</c>); the worker
/// program owns the convention (Worker/Simulation/RunTimeHint.cs), the bench only writes it.
/// </summary>
public static class RunTimeHint
{
    /// <summary>Longest run a hint may ask for; the worker ignores longer hints.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(1);

    /// <summary>The hint for <paramref name="runTime"/>, to be followed by the rest of the payload.</summary>
    public static string Format(TimeSpan runTime)
    {
        if (runTime < TimeSpan.Zero || runTime > Max)
        {
            throw new ArgumentOutOfRangeException(nameof(runTime), runTime, $"a run time hint is between 0 and {Max}");
        }

        return string.Create(CultureInfo.InvariantCulture, $"sim:run={(long)runTime.TotalMilliseconds}ms;");
    }
}
