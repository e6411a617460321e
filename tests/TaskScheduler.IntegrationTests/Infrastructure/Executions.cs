using System.Text.RegularExpressions;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>
/// Every execution the workers of a test started, read from their logs (the worker library logs each one at Debug
/// level when started with <see cref="LogArgs"/>, before it calls the handler, whichever that is): the ground truth
/// for "no attempt ran twice".
/// </summary>
public static partial class Executions
{
    /// <summary>Worker arguments that make it log each execution it starts (and the simulated handler, what it runs).</summary>
    public static readonly string[] LogArgs = ["--Logging:LogLevel:TaskScheduler.Worker.Agent=Debug", "--Logging:LogLevel:TaskScheduler.Worker.Simulation=Debug"];

    /// <summary>(task, attempt) → how many times some worker started it.</summary>
    public static Dictionary<(Guid TaskId, int Attempt), int> Read(IEnumerable<string> logPaths)
    {
        var counts = new Dictionary<(Guid, int), int>();
        foreach (var path in logPaths)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                var match = Started().Match(line);
                if (match.Success)
                {
                    var key = (Guid.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }
            }
        }

        return counts;
    }

    [GeneratedRegex(@"Executing task ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}) attempt (\d+)")]
    private static partial Regex Started();
}
