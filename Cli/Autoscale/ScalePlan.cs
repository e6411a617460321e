namespace TaskScheduler.Cli.Autoscale;

/// <summary>What one round of the local autoscaler does: start this many workers, ask these to drain and leave.</summary>
public sealed record ScalePlan(int Start, IReadOnlyList<string> Stop, int Target)
{
    public bool IsEmpty => Start == 0 && Stop.Count == 0;
}
