namespace TaskScheduler.Bench.Traffic;

/// <summary>
/// Reads a system's broker counters before a run and after it. RabbitMQ refreshes the counters it reports every
/// collect_statistics_interval (5 s by default), so the reading after waits that long (plus a margin) for the
/// last of the run to show; the reading before is taken when the system is quiet, where a stale one costs nothing.
/// </summary>
public sealed class TrafficMeter(ManagementApi api, string prefix, TimeSpan settle)
{
    /// <summary>RabbitMQ's default collect_statistics_interval and a second's margin.</summary>
    public static readonly TimeSpan DefaultSettle = TimeSpan.FromSeconds(6);

    private TrafficSnapshot? _before;
    private string? _problem;

    public async Task StartAsync(CancellationToken ct)
    {
        try
        {
            _before = await api.ReadAsync(prefix, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            _problem = $"no broker counters: {api.BaseUrl} ({e.Message})";
        }
    }

    public async Task<BrokerTraffic> FinishAsync(long tasks, CancellationToken ct)
    {
        if (_before is null)
        {
            return BrokerTraffic.Unmeasured(_problem ?? "no broker counters");
        }

        await Task.Delay(settle, ct);
        try
        {
            return BrokerTraffic.Between(_before, await api.ReadAsync(prefix, ct), tasks);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return BrokerTraffic.Unmeasured($"no broker counters after the run: {api.BaseUrl} ({e.Message})");
        }
    }
}
