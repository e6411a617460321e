using System.Net;
using System.Net.Http.Json;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Dashboard;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Cli.Api;

/// <summary>The scheduler's HTTP API, for queries that are simpler there than over the broker.</summary>
public sealed class SchedulerApi : IDisposable
{
    private readonly HttpClient _http;

    public SchedulerApi(string baseUrl)
    {
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliException(ExitCodes.Usage, $"--scheduler must be an http:// URL, not '{baseUrl}'");
        }

        _http = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromSeconds(10) };
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

    public async Task<WorkerView[]> GetWorkersAsync(CancellationToken ct)
    {
        using var response = await SendAsync(new Uri("api/workers", UriKind.Relative), ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(WireJson.Default.WorkerViewArray, ct) ?? [];
    }

    /// <summary>The live picture the dashboard shows: totals, workers, queue, recent history and failures.</summary>
    public async Task<DashboardSnapshot> GetDashboardAsync(int minutes, CancellationToken ct)
    {
        using var response = await SendAsync(new Uri($"api/dashboard?minutes={minutes}", UriKind.Relative), ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(DashboardJson.Default.DashboardSnapshot, ct)
            ?? throw new CliException(ExitCodes.SchedulerUnreachable, "the scheduler sent an empty dashboard");
    }

    public string BaseAddress => _http.BaseAddress!.ToString().TrimEnd('/');

    public async Task<AutoscaleView> GetAutoscaleAsync(CancellationToken ct)
    {
        using var response = await SendAsync(new Uri("api/autoscale", UriKind.Relative), ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new CliException(ExitCodes.SchedulerUnreachable, $"the scheduler at {_http.BaseAddress} has no /api/autoscale: is it an older version?");
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(WireJson.Default.AutoscaleView, ct)
            ?? throw new CliException(ExitCodes.SchedulerUnreachable, "the scheduler answered /api/autoscale with nothing");
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(Uri path, CancellationToken ct)
    {
        try
        {
            return await _http.GetAsync(path, ct);
        }
        catch (HttpRequestException e)
        {
            throw new CliException(
                ExitCodes.SchedulerUnreachable, $"cannot reach the scheduler at {_http.BaseAddress}: {e.Message}. Is it running?");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.SchedulerUnreachable, $"the scheduler at {_http.BaseAddress} did not answer in time");
        }
    }
}
