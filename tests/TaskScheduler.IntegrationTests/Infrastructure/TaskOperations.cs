using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RabbitMQ.Client;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Worker.Simulation;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>What the dependency, preemption, cancellation and retry tests do to a system, as its users would.</summary>
public static class TaskOperations
{
    /// <summary>GET /api/tasks/{id}/history; null on 404.</summary>
    public static async Task<TaskHistoryEntry[]?> GetHistoryAsync(this TestSystem system, Guid id)
    {
        using var response = await system.Api.GetAsync(new Uri($"/api/tasks/{id}/history", UriKind.Relative));
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(WireJson.Default.TaskHistoryEntryArray);
    }

    /// <summary>The events of a task's history, oldest first.</summary>
    public static async Task<List<string>> GetHistoryEventsAsync(this TestSystem system, Guid id) =>
        [.. (await system.GetHistoryAsync(id) ?? throw new AssertionException($"no history for task {id}")).Select(h => h.Event)];

    /// <summary>POST /api/tasks/{id}/cancel.</summary>
    public static async Task<HttpStatusCode> CancelOverHttpAsync(this TestSystem system, Guid id, string reason)
    {
        using var response = await system.Api.PostAsJsonAsync($"/api/tasks/{id}/cancel", new { reason });
        return response.StatusCode;
    }

    /// <summary>Publishes a cancel request to the cancel exchange, as another service would.</summary>
    public static async Task PublishCancelAsync(this TestSystem system, Guid id, string reason) =>
        await PublishAsync(system, system.Topology.CancelExchange, JsonSerializer.SerializeToUtf8Bytes(new CancelTask(id, 0, reason), WireJson.Default.CancelTask));

    /// <summary>Publishes any bytes to the cancel exchange.</summary>
    public static Task PublishToCancelExchangeAsync(this TestSystem system, byte[] body) =>
        PublishAsync(system, system.Topology.CancelExchange, body);

    /// <summary>Publishes a graph (a JSON array of tasks) to the submit exchange as one message.</summary>
    public static Task SubmitGraphAsync(this TestSystem system, params SubmitTask[] tasks) =>
        system.PublishAsync(JsonSerializer.SerializeToUtf8Bytes(tasks, WireJson.Default.SubmitTaskArray));

    /// <summary>Waits until the task's worker has reported running it (its history says "started").</summary>
    public static Task WaitUntilStartedAsync(this TestSystem system, Guid id) =>
        Eventually.That(
            async () => (await system.GetHistoryAsync(id) ?? []).Any(h => h.Event == TaskHistoryEvents.Started),
            TimeSpan.FromSeconds(60),
            $"task {id} to start");

    /// <summary>Waits until no worker holds a task any more, as their heartbeats say: stopped attempts gave their slots back.</summary>
    public static Task WaitForNoneInFlightAsync(this TestSystem system) =>
        Eventually.That(
            async () => (await system.GetWorkersAsync()).All(w => w.InFlight == 0),
            TimeSpan.FromSeconds(30),
            "the stopped attempts to give their slots back");

    /// <summary>Waits until the scheduler knows the task (it was accepted) and returns its status.</summary>
    public static async Task<TaskStatusView> WaitUntilKnownAsync(this TestSystem system, Guid id) =>
        (await Eventually.Returns(() => system.GetTaskAsync(id), status => status is not null, TimeSpan.FromSeconds(60), $"task {id} to be accepted"))!;

    /// <summary>Waits until the scheduler reports the task in <paramref name="state"/>.</summary>
    public static Task WaitForStateAsync(this TestSystem system, Guid id, TaskState state) =>
        Eventually.That(async () => (await system.GetTaskAsync(id))?.State == state, TimeSpan.FromSeconds(60), $"task {id} to be {state}");

    /// <summary>The simulated handler's checkpoint is the milliseconds of work done.</summary>
    public static TimeSpan SimulatedCheckpoint(TaskStatusView task) =>
        TimeSpan.FromMilliseconds(long.Parse(task.Checkpoint ?? "0", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A payload whose simulated run fails (or succeeds) on a worker with the given failure rate.</summary>
    public static string Payload(string name, bool fails, double failureRate = 0.5)
    {
        for (var i = 0; ; i++)
        {
            var payload = $"{name} {i}";
            if (SimulatedExecution.Plan(payload, TimeSpan.Zero, TimeSpan.Zero, failureRate).Fails == fails)
            {
                return payload;
            }
        }
    }

    private static async Task PublishAsync(TestSystem system, string exchange, byte[] body)
    {
        await using var channel = await system.Connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        var properties = new BasicProperties { DeliveryMode = DeliveryModes.Persistent, ContentType = "application/json" };
        await channel.BasicPublishAsync(exchange, "", true, properties, body);
    }
}
