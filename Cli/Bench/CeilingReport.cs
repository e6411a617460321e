namespace TaskScheduler.Cli.Bench;

/// <summary>
/// The broker's raw one-hop rate on this machine, measured in the same run: persistent messages of the size of a
/// submission, published with confirms to a durable queue and consumed with manual acknowledgements. A task needs
/// at least three such hops (submit, assign, result), so one third of it is the ceiling for tasks.
/// </summary>
public sealed record CeilingReport(double OneHopPerSecond, int MessageBytes, long Messages, double Seconds)
{
    public const int HopsPerTask = 3;

    public double TasksPerSecond => OneHopPerSecond / HopsPerTask;
}
