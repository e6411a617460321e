namespace TaskScheduler.Bench;

/// <summary>
/// The broker's raw one-hop rate on this machine, measured in the same run: persistent messages of the size of a
/// submission, published with confirms to a durable queue and consumed with manual acknowledgements. The bench
/// reports every task rate as a fraction of it (tasks per one-hop message); how many messages a task really costs
/// is measured too (<see cref="Traffic.BrokerTraffic"/>), so no number of hops is assumed.
/// </summary>
public sealed record CeilingReport(double OneHopPerSecond, int MessageBytes, long Messages, double Seconds);
