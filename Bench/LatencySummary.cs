namespace TaskScheduler.Bench;

/// <summary>Percentiles (nearest rank) of one latency, in milliseconds.</summary>
public sealed record LatencySummary(int Count, double P50, double P90, double P99, double Max)
{
    public static LatencySummary? Of(List<double> milliseconds)
    {
        if (milliseconds.Count == 0)
        {
            return null;
        }

        milliseconds.Sort();
        double At(double p) => Math.Round(milliseconds[Math.Clamp((int)Math.Ceiling(p * milliseconds.Count) - 1, 0, milliseconds.Count - 1)], 2);
        return new LatencySummary(milliseconds.Count, At(0.50), At(0.90), At(0.99), Math.Round(milliseconds[^1], 2));
    }
}
