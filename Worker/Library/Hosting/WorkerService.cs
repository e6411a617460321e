using Microsoft.Extensions.Options;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Worker.Agent;
using TaskScheduler.Worker.Configuration;
using TaskScheduler.Worker.Transport;

namespace TaskScheduler.Worker.Hosting;

/// <summary>
/// Timing and lifecycle: connect, consume, announce, heartbeat; on stop, drain while still heartbeating (so the
/// scheduler does not declare us dead mid-drain), announce leaving, then disconnect.
/// </summary>
internal sealed class WorkerService(
    WorkerAgent agent, WorkerTransport transport, IOptions<WorkerOptions> options, TimeProvider time, ILogger<WorkerService> logger) : BackgroundService
{
    private readonly WorkerOptions _options = options.Value;
    private readonly SemaphoreSlim _rejoin = new(1, 1);
    private readonly CancellationTokenSource _heartbeatsStop = new();
    private CancellationToken _stopping;
    private Task _heartbeats = Task.CompletedTask;
    private volatile bool _leaving;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (ExecuteTask is null || ExecuteTask.IsCompleted)
        {
            await base.StopAsync(cancellationToken);
            return;
        }

        logger.LogInformation("Worker {WorkerId} draining {Count} running tasks", _options.Id, agent.Running().Count);
        try
        {
            // Our own cancel: the broker then reports the consumers gone, which is no lost queue.
            _leaving = true;
            await transport.StopConsumingAsync();
            var handedBack = await agent.DrainAsync(_options.DrainTimeout);
            // "left" is the last word: a heartbeat after it would register the worker again.
            await _heartbeatsStop.CancelAsync();
            await _heartbeats;
            await transport.PublishAsync(new WorkerLeft(_options.Id, handedBack, time.GetUtcNow()), cancellationToken);
            logger.LogInformation("Worker {WorkerId} left, handing back {Count} tasks", _options.Id, handedBack.Count);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Worker {WorkerId} could not leave cleanly; the scheduler will notice its silence", _options.Id);
        }
        finally
        {
            agent.Abandon();
            await base.StopAsync(cancellationToken);
            await transport.DisposeAsync();
        }
    }

    public override void Dispose()
    {
        agent.Dispose();
        _rejoin.Dispose();
        _heartbeatsStop.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        await transport.ConnectAsync(stoppingToken);
        await JoinAsync(stoppingToken);
        logger.LogInformation("Worker {WorkerId} joined with capacity {Capacity}", _options.Id, _options.Capacity);

        using var beating = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _heartbeatsStop.Token);
        _heartbeats = new HeartbeatThread(agent.Heartbeat, transport.PublishAsync, _options.HeartbeatInterval, logger).RunAsync(beating.Token);
        await _heartbeats;
    }

    private async Task JoinAsync(CancellationToken ct)
    {
        await transport.PurgeAsync(ct);
        var joined = new WorkerJoined(_options.Id, _options.Capacity, Environment.MachineName, Environment.ProcessId, time.GetUtcNow())
        {
            Tags = _options.TagList is { Count: > 0 } tags ? tags : null,
        };
        await ConsumeAsync(announce: joined, ct);
    }

    /// <summary>Consumes our queues, then reports in: "joined" when this process starts, a heartbeat always.</summary>
    private async Task ConsumeAsync(WorkerJoined? announce, CancellationToken ct)
    {
        await transport.ConsumeAsync(agent.OnAssignmentAsync, agent.OnCancelAsync, agent.OnPreemptAsync, agent.OnLeadsAsync, OnQueueLostAsync, ct);
        if (announce is not null)
        {
            await transport.PublishAsync(announce, ct);
        }

        await transport.PublishAsync(agent.Heartbeat(), ct);
    }

    /// <summary>
    /// Our consumer or its channel is gone without our asking: the scheduler deleted our queues (it declared us
    /// dead while we were paused or cut off), or the broker closed the channel. Declare the queues again and
    /// consume; the next heartbeat re-registers us, and the scheduler cancels whatever it no longer wants us to run.
    /// No "joined" here: that would tell the scheduler we hold nothing, and it would requeue our running tasks.
    /// </summary>
    private Task OnQueueLostAsync(string why)
    {
        if (!_leaving && !agent.Draining && !_stopping.IsCancellationRequested)
        {
            // Not on the consumer's own dispatch thread: rejoining replaces (and disposes) that channel.
            _ = Task.Run(() => RejoinAsync(why));
        }

        return Task.CompletedTask;
    }

    private async Task RejoinAsync(string why)
    {
        if (!await _rejoin.WaitAsync(0, _stopping))
        {
            return;
        }

        try
        {
            logger.LogWarning("Worker {WorkerId} lost its queue consumer ({Why}); consuming again", _options.Id, why);
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, _stopping);
            await ConsumeAsync(announce: null, _stopping);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Worker {WorkerId} could not rejoin", _options.Id);
        }
        finally
        {
            _rejoin.Release();
        }
    }
}
