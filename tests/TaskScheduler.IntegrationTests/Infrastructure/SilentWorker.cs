using System.Text.Json;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>
/// A worker played by the test that joins and heartbeats but never consumes its queue and never claims an attempt:
/// what the scheduler assigns it waits in its queue, as assignments do in the moment between their publish and their
/// delivery. Set <see cref="Draining"/> and it takes no more work while its heartbeats still reconcile what it holds.
/// Its heartbeats ride out a broker outage on the test's recovering connection.
/// </summary>
public sealed class SilentWorker : IAsyncDisposable
{
    private readonly TestSystem _system;
    private readonly CancellationTokenSource _stop = new();
    private Task _heartbeats = Task.CompletedTask;

    private SilentWorker(TestSystem system, string id, int capacity)
    {
        _system = system;
        Id = id;
        Capacity = capacity;
    }

    public string Id { get; }

    public int Capacity { get; }

    public bool Draining { get; set; }

    public static async Task<SilentWorker> StartAsync(TestSystem system, string id, int capacity)
    {
        await using (var channel = await system.Connection.CreateChannelAsync())
        {
            foreach (var queue in new[] { system.Topology.WorkerQueue(id), system.Topology.WorkerControlQueue(id) })
            {
                await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            }
        }

        var worker = new SilentWorker(system, id, capacity);
        var joined = new WorkerJoined(id, capacity, "test", Environment.ProcessId, DateTimeOffset.UtcNow);
        await system.PublishEventAsync(
            Topology.WorkerEventKey(id, Topology.WorkerEvents.Joined), JsonSerializer.SerializeToUtf8Bytes(joined, WireJson.Default.WorkerJoined));
        worker._heartbeats = worker.HeartbeatAsync();
        return worker;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _heartbeats;
        _stop.Dispose();
    }

    private async Task HeartbeatAsync()
    {
        using var timer = new PeriodicTimer(_system.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var beat = new WorkerHeartbeat(Id, Capacity, [], Draining, DateTimeOffset.UtcNow);
                try
                {
                    await _system.PublishEventAsync(
                        Topology.WorkerEventKey(Id, Topology.WorkerEvents.Heartbeat), JsonSerializer.SerializeToUtf8Bytes(beat, WireJson.Default.WorkerHeartbeat));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The broker is down; the connection recovers on its own and the next beat goes out then.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }
}
