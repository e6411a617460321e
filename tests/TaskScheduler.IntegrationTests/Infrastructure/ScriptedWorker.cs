using System.Collections.Concurrent;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>
/// A worker played by the test over the wire protocol: it joins, holds the attempts the scheduler assigns it, lists
/// them in its heartbeats with the progress the test sets, and finishes them when and how the test says (with a
/// result, or failed). The surfaces that show what handlers report are tested with it, whatever the handlers do.
/// </summary>
public sealed class ScriptedWorker : IAsyncDisposable
{
    private readonly TestSystem _system;
    private readonly IChannel _channel;
    private readonly ConcurrentDictionary<Guid, AssignTask> _held = new();
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<AssignTask>> _assigned = new();
    private readonly ConcurrentDictionary<Guid, TaskProgress> _progress = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _heartbeats = Task.CompletedTask;

    private ScriptedWorker(TestSystem system, IChannel channel, string id, int capacity)
    {
        _system = system;
        _channel = channel;
        Id = id;
        Capacity = capacity;
    }

    public string Id { get; }

    public int Capacity { get; }

    /// <summary>Declares the worker's queues, consumes its assignments, joins, and heartbeats until disposed.</summary>
    public static async Task<ScriptedWorker> StartAsync(TestSystem system, string id, int capacity)
    {
        var channel = await system.Connection.CreateChannelAsync();
        var worker = new ScriptedWorker(system, channel, id, capacity);
        foreach (var queue in new[] { system.Topology.WorkerQueue(id), system.Topology.WorkerControlQueue(id) })
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        }

        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            worker.Take(delivery);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(system.Topology.WorkerQueue(id), autoAck: true, consumer: consumer);

        var joined = new WorkerJoined(id, capacity, "test", Environment.ProcessId, DateTimeOffset.UtcNow);
        await system.PublishEventAsync(
            Topology.WorkerEventKey(id, Topology.WorkerEvents.Joined), JsonSerializer.SerializeToUtf8Bytes(joined, WireJson.Default.WorkerJoined));
        worker._heartbeats = worker.HeartbeatAsync();
        return worker;
    }

    /// <summary>The order for this task, once the scheduler has sent it here.</summary>
    public async Task<AssignTask> WaitForAssignmentAsync(Guid taskId)
    {
        var order = _assigned.GetOrAdd(taskId, _ => new TaskCompletionSource<AssignTask>(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            return await order.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"worker {Id} was never assigned task {taskId}");
            throw;
        }
    }

    /// <summary>What the handler says about a held attempt; the next heartbeats carry it.</summary>
    public void ReportProgress(Guid taskId, double fraction, string? message) =>
        _progress[taskId] = new TaskProgress(fraction, message, DateTimeOffset.UtcNow);

    public Task CompleteAsync(Guid taskId, string? result) => FinishAsync(taskId, TaskOutcome.Completed, null, result);

    public Task FailAsync(Guid taskId, string error) => FinishAsync(taskId, TaskOutcome.Failed, error, null);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _heartbeats;
        if (_channel.IsOpen)
        {
            foreach (var queue in new[] { _system.Topology.WorkerQueue(Id), _system.Topology.WorkerControlQueue(Id) })
            {
                await _channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false);
            }
        }

        await _channel.DisposeAsync();
        _stop.Dispose();
    }

    private void Take(BasicDeliverEventArgs delivery)
    {
        IReadOnlyList<AssignTask> orders = delivery.BasicProperties.Type == Topology.AssignmentTypes.Batch
            ? JsonSerializer.Deserialize(delivery.Body.Span, WireJson.Default.AssignTasks)!.Tasks
            : [JsonSerializer.Deserialize(delivery.Body.Span, WireJson.Default.AssignTask)!];
        foreach (var order in orders)
        {
            _held[order.TaskId] = order;
            _assigned.GetOrAdd(order.TaskId, _ => new TaskCompletionSource<AssignTask>(TaskCreationOptions.RunContinuationsAsynchronously))
                .TrySetResult(order);
        }
    }

    /// <summary>
    /// Reports the end of a held attempt. As the protocol wants, heartbeats list the attempt until the broker has
    /// confirmed its result: one that left it out before the result arrives would have it requeued.
    /// </summary>
    private async Task FinishAsync(Guid taskId, TaskOutcome outcome, string? error, string? result)
    {
        if (!_held.TryGetValue(taskId, out var order))
        {
            Assert.Fail($"worker {Id} does not hold task {taskId}");
        }

        var finished = new TaskFinished(Id, taskId, order!.Attempt, outcome, error, order.AssignedAt, DateTimeOffset.UtcNow) { Result = result };
        await _system.PublishWorkerResultAsync(Id, finished);
        _held.TryRemove(taskId, out _);
        _progress.TryRemove(taskId, out _);
    }

    private async Task HeartbeatAsync()
    {
        using var timer = new PeriodicTimer(_system.HeartbeatInterval);
        do
        {
            var running = _held.Values
                .Select(o => new RunningTask(o.TaskId, o.Attempt) { Progress = _progress.GetValueOrDefault(o.TaskId) })
                .ToArray();
            var beat = new WorkerHeartbeat(Id, Capacity, running, Draining: false, DateTimeOffset.UtcNow);
            try
            {
                await _system.PublishEventAsync(
                    Topology.WorkerEventKey(Id, Topology.WorkerEvents.Heartbeat), JsonSerializer.SerializeToUtf8Bytes(beat, WireJson.Default.WorkerHeartbeat));
            }
            catch (Exception e) when (e is RabbitMQ.Client.Exceptions.AlreadyClosedException or ObjectDisposedException)
            {
                return;
            }
        }
        while (await WaitAsync(timer));
    }

    private async Task<bool> WaitAsync(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
