using System.Net;
using System.Net.Http.Json;
using TaskScheduler.Bench;
using TaskScheduler.Cli.Invocation;
using TaskScheduler.Client;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Dashboard;

namespace TaskScheduler.Cli.Api;

/// <summary>The scheduler's HTTP API, for queries that are simpler there than over the broker.</summary>
public sealed class SchedulerApi : ISchedulerReadings, IDisposable
{
    private readonly HttpClient _http;
    private readonly SchedulerEndpoints _endpoints;

    /// <param name="baseUrl">The API's base URL, or several separated by commas, tried in order (<see cref="SchedulerEndpoints"/>).</param>
    public SchedulerApi(string baseUrl)
    {
        if (!SchedulerEndpoints.TryParse(baseUrl, out var endpoints, out var problem))
        {
            throw new CliException(ExitCodes.Usage, $"--scheduler must be an http:// URL, or several separated by commas: {problem}");
        }

        _endpoints = endpoints!;
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        // A scheduler that listens beyond loopback wants its key on every change (docs/security.md).
        if (Environment.GetEnvironmentVariable("TASKS_API_KEY") is { Length: > 0 } key)
        {
            _http.DefaultRequestHeaders.Add("X-Api-Key", key);
        }
    }

    public async Task<TaskStatusView?> GetTaskAsync(Guid id, CancellationToken ct)
    {
        using var response = await SendAsync(new Uri($"api/tasks/{id}", UriKind.Relative), ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(WireJson.Default.TaskStatusView, ct);
    }

    /// <summary>The task's history, oldest first, or null when no task has this id.</summary>
    public async Task<TaskHistoryEntry[]?> GetHistoryAsync(Guid id, CancellationToken ct)
    {
        using var response = await SendAsync(new Uri($"api/tasks/{id}/history", UriKind.Relative), ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(WireJson.Default.TaskHistoryEntryArray, ct) ?? [];
    }

    public async Task<WorkerView[]> GetWorkersAsync(CancellationToken ct)
    {
        using var response = await SendAsync(new Uri("api/workers", UriKind.Relative), ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(WireJson.Default.WorkerViewArray, ct) ?? [];
    }

    /// <summary>The scheduler's working set now and at its peak (bytes), from /api/stats; null if it does not say.</summary>
    public async Task<(long WorkingSet, long PeakWorkingSet)?> GetMemoryAsync(CancellationToken ct)
    {
        using var response = await SendAsync(new Uri("api/stats", UriKind.Relative), ct);
        response.EnsureSuccessStatusCode();
        using var stats = await System.Text.Json.JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
        return stats.RootElement.TryGetProperty("process", out var process)
            && process.TryGetProperty("workingSetBytes", out var now)
            && process.TryGetProperty("peakWorkingSetBytes", out var peak)
            ? (now.GetInt64(), peak.GetInt64())
            : null;
    }

    /// <summary>The live picture the dashboard shows: totals, workers, queue, recent history and failures.</summary>
    public async Task<DashboardSnapshot> GetDashboardAsync(int minutes, CancellationToken ct)
    {
        using var response = await SendAsync(new Uri($"api/dashboard?minutes={minutes}", UriKind.Relative), ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(DashboardJson.Default.DashboardSnapshot, ct)
            ?? throw new CliException(ExitCodes.SchedulerUnreachable, "the scheduler sent an empty dashboard");
    }

    /// <summary>The scheduler address that answered last.</summary>
    public string BaseAddress => _endpoints.Current.ToString().TrimEnd('/');

    public async Task<AutoscaleView> GetAutoscaleAsync(CancellationToken ct)
    {
        using var response = await SendAsync(new Uri("api/autoscale", UriKind.Relative), ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new CliException(ExitCodes.SchedulerUnreachable, $"the scheduler at {BaseAddress} has no /api/autoscale: is it an older version?");
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(DashboardJson.Default.AutoscaleView, ct)
            ?? throw new CliException(ExitCodes.SchedulerUnreachable, "the scheduler answered /api/autoscale with nothing");
    }

    /// <summary>The scheduler's metrics as Prometheus text (/metrics).</summary>
    public async Task<string> GetMetricsTextAsync(CancellationToken ct)
    {
        using var response = await SendAsync(new Uri("metrics", UriKind.Relative), ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(ct);
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(Uri path, CancellationToken ct)
    {
        try
        {
            return await _endpoints.SendAsync(_http, address => new HttpRequestMessage(HttpMethod.Get, new Uri(address, path)), ct);
        }
        catch (HttpRequestException e)
        {
            throw new CliException(ExitCodes.SchedulerUnreachable, $"cannot reach the scheduler at {_endpoints}: {e.Message}. Is it running?");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.SchedulerUnreachable, $"the scheduler at {_endpoints} did not answer in time");
        }
    }
}
