using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Listing;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Client.Http;

/// <summary>The scheduler's HTTP API, for what the broker does not answer: a task's status and result, lists, and acting on tasks.</summary>
internal sealed class SchedulerHttp : IDisposable
{
    private const string KeyHeader = "X-Api-Key";

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly string? _apiKey;
    private readonly SchedulerEndpoints _endpoints;

    public SchedulerHttp(SchedulerEndpoints endpoints, string? apiKey, HttpClient? http)
    {
        _ownsHttp = http is null;
        // A few connections are plenty: the waits of a large graph each ask once, and queue for them.
        _http = http ?? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 8 })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
        _endpoints = endpoints;
        _apiKey = apiKey;
    }

    /// <summary>The scheduler address that answered last.</summary>
    public Uri BaseUrl => _endpoints.Current;

    /// <summary>The task as the scheduler's journal has it, or null when it knows no such task.</summary>
    public async Task<TaskStatusView?> GetTaskAsync(Guid taskId, CancellationToken ct)
    {
        using var response = await SendToAsync(HttpMethod.Get, $"api/tasks/{taskId:D}", null, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, ct);
        return await response.Content.ReadFromJsonAsync(WireJson.Default.TaskStatusView, ct);
    }

    public async Task<CancelResult> CancelAsync(Guid taskId, string? reason, CancellationToken ct)
    {
        using var response = await SendToAsync(
            HttpMethod.Post, $"api/tasks/{taskId:D}/cancel", () => JsonContent.Create(new Dictionary<string, string?> { ["reason"] = reason }), ct);
        switch (response.StatusCode)
        {
            case HttpStatusCode.OK:
                using (var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)))
                {
                    return body.RootElement.TryGetProperty("note", out _) ? CancelResult.AlreadyCancelled : CancelResult.Cancelled;
                }

            case HttpStatusCode.NotFound:
                return CancelResult.NotFound;
            case HttpStatusCode.Conflict:
                return CancelResult.AlreadyFinished;
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                throw new TaskSchedulerClientException(
                    $"the scheduler at {BaseUrl} wants an API key with the role operate to cancel: {await ErrorOfAsync(response, ct)}");
            default:
                await EnsureSuccessAsync(response, ct);
                throw new TaskSchedulerClientException($"the scheduler answered {(int)response.StatusCode} to a cancel");
        }
    }

    public async Task<TaskPage> ListTasksAsync(TaskListFilter filter, CancellationToken ct)
    {
        using var response = await SendToAsync(HttpMethod.Get, $"api/tasks?{filter.ToQueryString()}", null, ct);
        await ThrowIfRefusedAsync(response, "list tasks", ct);
        return (await response.Content.ReadFromJsonAsync(WireJson.Default.TaskPage, ct))!;
    }

    public async Task<RetryManyResult> RetryManyAsync(TaskListFilter filter, string? reason, CancellationToken ct)
    {
        using var response = await SendToAsync(
            HttpMethod.Post, $"api/tasks/retry?{filter.ToQueryString()}", () => JsonContent.Create(new TaskActionRequestBody(reason, null)), ct);
        await ThrowIfRefusedAsync(response, "retry tasks", ct);
        return (await response.Content.ReadFromJsonAsync(WireJson.Default.RetryManyResult, ct))!;
    }

    /// <summary>An action on one task: 2xx is done, 404 not found, 409 not applicable (with the scheduler's reason).</summary>
    public async Task<TaskActionResult> ActAsync(HttpMethod method, string path, TaskActionRequestBody? body, CancellationToken ct)
    {
        using var response = await SendToAsync(method, path, body is null ? null : () => JsonContent.Create(body), ct);
        switch (response.StatusCode)
        {
            case HttpStatusCode.NotFound:
                return new TaskActionResult(TaskActionStatus.NotFound, await ErrorOfAsync(response, ct));
            case HttpStatusCode.Conflict:
                return new TaskActionResult(TaskActionStatus.NotApplicable, await ErrorOfAsync(response, ct));
            default:
                await ThrowIfRefusedAsync(response, "act on a task", ct);
                return new TaskActionResult(TaskActionStatus.Done);
        }
    }

    /// <summary>
    /// Sends a request to the API (with the API key when it changes something) and returns its status and body;
    /// throws <see cref="TaskSchedulerUnavailableException"/> when the scheduler cannot be reached or fails (5xx).
    /// </summary>
    public async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, string path, System.Text.Json.Nodes.JsonNode? body, CancellationToken ct)
    {
        var json = body?.ToJsonString();
        using var response = await SendToAsync(
            method, path, json is null ? null : () => new StringContent(json, System.Text.Encoding.UTF8, "application/json"), ct, withKey: method != HttpMethod.Get);
        if ((int)response.StatusCode >= 500)
        {
            await EnsureSuccessAsync(response, ct);
        }

        var text = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.BadRequest)
        {
            throw new TaskSchedulerClientException($"the scheduler at {BaseUrl} answered {(int)response.StatusCode}: {ErrorOf(text)}");
        }

        return (response.StatusCode, text);
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }


    /// <summary>A refusal (no key, a key without the role, bad input) as a client error; other failures as unavailability.</summary>
    private async Task ThrowIfRefusedAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.BadRequest)
        {
            throw new TaskSchedulerClientException($"the scheduler at {BaseUrl} refused to {what}: {await ErrorOfAsync(response, ct)}");
        }

        await EnsureSuccessAsync(response, ct);
    }

    /// <summary>
    /// Sends <paramref name="method"/> <paramref name="path"/> to the scheduler, to the next of its addresses while one
    /// cannot be reached (<see cref="SchedulerEndpoints"/>); <paramref name="content"/> makes the body afresh for each.
    /// </summary>
    private async Task<HttpResponseMessage> SendToAsync(HttpMethod method, string path, Func<HttpContent>? content, CancellationToken ct, bool withKey = true)
    {
        try
        {
            return await _endpoints.SendAsync(_http, address =>
            {
                var request = new HttpRequestMessage(method, new Uri(address, path)) { Content = content?.Invoke() };
                if (withKey && _apiKey is { Length: > 0 })
                {
                    request.Headers.Add(KeyHeader, _apiKey);
                }

                return request;
            }, ct);
        }
        catch (HttpRequestException e)
        {
            throw new TaskSchedulerUnavailableException(UnavailablePart.Scheduler, $"cannot reach the scheduler at {_endpoints}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new TaskSchedulerUnavailableException(UnavailablePart.Scheduler, $"the scheduler at {BaseUrl} did not answer in time", e);
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new TaskSchedulerUnavailableException(
                UnavailablePart.Scheduler, $"the scheduler at {BaseUrl} answered {(int)response.StatusCode}: {await ErrorOfAsync(response, ct)}");
        }
    }

    /// <summary>The <c>detail</c> of the scheduler's problem details (<c>error</c> from older schedulers), or the body as it is.</summary>
    private static async Task<string> ErrorOfAsync(HttpResponseMessage response, CancellationToken ct) =>
        ErrorOf(await response.Content.ReadAsStringAsync(ct));

    private static string ErrorOf(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && (document.RootElement.TryGetProperty("detail", out var error) || document.RootElement.TryGetProperty("error", out error))
                ? error.GetString() ?? body
                : body;
        }
        catch (JsonException)
        {
            return body;
        }
    }
}
