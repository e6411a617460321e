using System.Globalization;
using TaskScheduler.Contracts.Observability;

namespace TaskScheduler.Bench.Stages;

/// <summary>
/// The scheduler's stage histograms (<see cref="TelemetryNames.StageDurationPrometheus"/>) as read from its
/// Prometheus text at <c>/metrics</c>: cumulative counts per bucket bound, per stage, since the scheduler started.
/// </summary>
public sealed class StageHistograms
{
    private static readonly string BucketPrefix = TelemetryNames.StageDurationPrometheus + "_bucket{";

    private readonly Dictionary<string, SortedDictionary<double, long>> _stages;

    private StageHistograms(Dictionary<string, SortedDictionary<double, long>> stages) => _stages = stages;

    public IReadOnlyCollection<string> Stages => _stages.Keys;

    public static StageHistograms Parse(string prometheusText)
    {
        var stages = new Dictionary<string, SortedDictionary<double, long>>(StringComparer.Ordinal);
        foreach (var line in prometheusText.Split('\n'))
        {
            if (!line.StartsWith(BucketPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var close = line.LastIndexOf('}');
            var labels = line[BucketPrefix.Length..close];
            if (Label(labels, "stage") is not { } stage || Label(labels, "le") is not { } le
                || !long.TryParse(line[(close + 1)..].Trim().Split(' ')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var count))
            {
                continue;
            }

            var bound = le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture);
            if (!stages.TryGetValue(stage, out var buckets))
            {
                stages[stage] = buckets = [];
            }

            buckets[bound] = count;
        }

        return new StageHistograms(stages);
    }

    /// <summary>
    /// Each stage's percentiles over what was recorded between <paramref name="before"/> and this reading,
    /// interpolated within buckets as Prometheus's histogram_quantile does; stages with nothing recorded are left out.
    /// </summary>
    public IReadOnlyList<StageLatency> Since(StageHistograms before, IReadOnlyList<string> order)
    {
        var result = new List<StageLatency>();
        int Position(string stage) => order.Contains(stage) ? order.ToList().IndexOf(stage) : int.MaxValue;
        foreach (var stage in _stages.Keys.OrderBy(Position).ThenBy(s => s, StringComparer.Ordinal))
        {
            var earlier = before._stages.GetValueOrDefault(stage);
            var buckets = new List<(double Bound, long Count)>();
            foreach (var (bound, count) in _stages[stage])
            {
                long previous = 0;
                earlier?.TryGetValue(bound, out previous);
                buckets.Add((bound, count - previous));
            }

            var total = buckets.Count == 0 ? 0 : buckets[^1].Count;
            if (total > 0)
            {
                result.Add(new StageLatency(stage, total, Quantile(buckets, 0.50), Quantile(buckets, 0.90), Quantile(buckets, 0.99)));
            }
        }

        return result;
    }

    /// <summary>The quantile in milliseconds; in the +Inf bucket, the highest finite bound (a floor).</summary>
    private static double Quantile(List<(double Bound, long Count)> cumulative, double q)
    {
        var rank = q * cumulative[^1].Count;
        var (lower, below) = (0.0, 0L);
        foreach (var (bound, count) in cumulative)
        {
            if (count >= rank)
            {
                if (double.IsPositiveInfinity(bound))
                {
                    return Math.Round(lower * 1000, 3);
                }

                var within = count - below;
                var fraction = within == 0 ? 1 : (rank - below) / within;
                return Math.Round((lower + (bound - lower) * fraction) * 1000, 3);
            }

            (lower, below) = (bound, count);
        }

        return Math.Round(lower * 1000, 3);
    }

    private static string? Label(string labels, string name)
    {
        var key = name + "=\"";
        var at = labels.IndexOf(key, StringComparison.Ordinal);
        if (at < 0 || (at > 0 && labels[at - 1] != ','))
        {
            return null;
        }

        var start = at + key.Length;
        var end = labels.IndexOf('"', start);
        return end < 0 ? null : labels[start..end];
    }
}
