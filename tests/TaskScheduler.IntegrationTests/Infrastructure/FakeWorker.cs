using System.Text.Json;
using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>
/// A worker made of the wire protocol alone, for tests that need an answer the real worker does not give (a result of
/// a chosen size, a chosen error): it joins with one slot, heartbeats what it holds, takes assignments from its queue,
/// and answers each with what the test says.
/// </summary>
public sealed class FakeWorker : IAsyncDisposable
{
    private readonly TestSystem _system;
    private readonly IChannel _channel;
    private readonly Channel<AssignTask> _assigned = Channel.CreateUnbounded<AssignTask>();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<RunningTask> _running = [];
    private Task _heartbeats = Task.CompletedTask;

    private FakeWorker(TestSystem system, IChannel channel, string id)
    {
        _system = system;
        _channel = channel;
        Id = id;
    }

    public string Id { get; }

    public static async Task<FakeWorker> JoinAsync(TestSystem system, string id)
    {
        var channel = await system.Connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        var worker = new FakeWorker(system, channel, id);
        var topology = system.Topology;
        await channel.QueueDeclareAsync(topology.WorkerQueue(id), durable: true, exclusive: false, autoDelete: false);
        await channel.QueueDeclareAsync(topology.WorkerControlQueue(id), durable: true, exclusive: false, autoDelete: false);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            IReadOnlyList<AssignTask> orders = delivery.BasicProperties.Type == Topology.AssignmentTypes.One
                ? [JsonSerializer.Deserialize(delivery.Body.Span, WireJson.Default.AssignTask)!]
                : JsonSerializer.Deserialize(delivery.Body.Span, WireJson.Default.AssignTasks)!.Tasks;
            lock (worker._running)
            {
                worker._running.AddRange(orders.Select(o => new RunningTask(o.TaskId, o.Attempt)));
            }

            foreach (var order in orders)
            {
                worker._assigned.Writer.TryWrite(order);
            }

            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(topology.WorkerQueue(id), autoAck: true, consumer: consumer);
        await worker.PublishAsync(Topology.WorkerEvents.Joined,
            JsonSerializer.SerializeToUtf8Bytes(new WorkerJoined(id, 1, "test", Environment.ProcessId, DateTimeOffset.UtcNow), WireJson.Default.WorkerJoined));
        worker._heartbeats = worker.HeartbeatAsync();
        await system.WaitForWorkersAsync(id);
        return worker;
    }

    /// <summary>Waits for the next assignment (a generous minute), as the scheduler sent it.</summary>
    public async Task<AssignTask> NextAssignmentAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        return await _assigned.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>Reports the attempt done: Completed with <paramref name="result"/>, or Failed with <paramref name="error"/>.</summary>
    public async Task FinishAsync(AssignTask order, string? result = null, string? error = null)
    {
        var now = DateTimeOffset.UtcNow;
        var finished = new TaskFinished(Id, order.TaskId, order.Attempt, error is null ? TaskOutcome.Completed : TaskOutcome.Failed, error, now, now)
        {
            Result = result,
        };
        await PublishAsync(Topology.WorkerEvents.Results, JsonSerializer.SerializeToUtf8Bytes(new TasksFinished(Id, [finished]), WireJson.Default.TasksFinished));
        lock (_running)
        {
            _running.RemoveAll(r => r.TaskId == order.TaskId);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _heartbeats;
        await _channel.QueueDeleteAsync(_system.Topology.WorkerQueue(Id), ifUnused: false, ifEmpty: false);
        await _channel.QueueDeleteAsync(_system.Topology.WorkerControlQueue(Id), ifUnused: false, ifEmpty: false);
        await _channel.DisposeAsync();
        _stop.Dispose();
    }

    private async Task HeartbeatAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            RunningTask[] running;
            lock (_running)
            {
                running = [.. _running];
            }

            await PublishAsync(Topology.WorkerEvents.Heartbeat,
                JsonSerializer.SerializeToUtf8Bytes(new WorkerHeartbeat(Id, 1, running, false, DateTimeOffset.UtcNow), WireJson.Default.WorkerHeartbeat));
            try
            {
                await Task.Delay(_system.HeartbeatInterval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task PublishAsync(string kind, byte[] body) =>
        await _channel.BasicPublishAsync(_system.Topology.EventsExchange, Topology.WorkerEventKey(Id, kind), false, new BasicProperties(), body);
}
