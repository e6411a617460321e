using Microsoft.Extensions.Options;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Worker.Agent;
using TaskScheduler.Worker.Transport;

namespace TaskScheduler.Worker;

/// <summary>
/// Timing and lifecycle: connect, consume, announce, heartbeat; on stop, drain while still heartbeating (so the
/// scheduler does not declare us dead mid-drain), announce leaving, then disconnect.
/// </summary>
public sealed class WorkerService : BackgroundService
{
    private readonly WorkerAgent _agent;
    private readonly WorkerTransport _transport;
    private readonly WorkerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WorkerService> _logger;
    private readonly SemaphoreSlim _rejoin = new(1, 1);
    private CancellationToken _stopping;

    public WorkerService(WorkerAgent agent, WorkerTransport transport, IOptions<WorkerOptions> options, TimeProvider time, ILogger<WorkerService> logger)
    {
        _agent = agent;
        _transport = transport;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (ExecuteTask is null || ExecuteTask.IsCompleted)
        {
            await base.StopAsync(cancellationToken);
            return;
        }

        _logger.LogInformation("Worker {WorkerId} draining {Count} running tasks", _options.Id, _agent.Running().Count);
        try
        {
            await _transport.StopConsumingAsync();
            var handedBack = await _agent.DrainAsync(_options.DrainTimeout);
            await _transport.PublishAsync(new WorkerLeft(_options.Id, handedBack, _time.GetUtcNow()), cancellationToken);
            _logger.LogInformation("Worker {WorkerId} left, handing back {Count} tasks", _options.Id, handedBack.Count);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Worker {WorkerId} could not leave cleanly; the scheduler will notice its silence", _options.Id);
        }
        finally
        {
            _agent.Abandon();
            await base.StopAsync(cancellationToken);
            await _transport.DisposeAsync();
        }
    }

    public override void Dispose()
    {
        _agent.Dispose();
        _rejoin.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        await _transport.ConnectAsync(stoppingToken);
        await JoinAsync(stoppingToken);
        _logger.LogInformation("Worker {WorkerId} joined with capacity {Capacity}", _options.Id, _options.Capacity);

        var heartbeats = new HeartbeatThread(_agent.Heartbeat, _transport.PublishAsync, _options.HeartbeatInterval, _logger);
        await heartbeats.RunAsync(stoppingToken);
    }

    private async Task JoinAsync(CancellationToken ct)
    {
        await _transport.PurgeAsync(ct);
        var joined = new WorkerJoined(_options.Id, _options.Capacity, Environment.MachineName, Environment.ProcessId, _time.GetUtcNow())
        {
            Tags = _options.TagList is { Count: > 0 } tags ? tags : null,
        };
        await ConsumeAsync(announce: joined, ct);
    }

    /// <summary>Consumes our queues, then reports in: "joined" when this process starts, a heartbeat always.</summary>
    private async Task ConsumeAsync(WorkerJoined? announce, CancellationToken ct)
    {
        await _transport.ConsumeAsync(_agent.OnAssignmentAsync, _agent.OnCancelAsync, _agent.OnPreemptAsync, OnQueueLostAsync, ct);
        if (announce is not null)
        {
            await _transport.PublishAsync(announce, ct);
        }

        await _transport.PublishAsync(_agent.Heartbeat(), ct);
    }

    /// <summary>
    /// Our consumer or its channel is gone without our asking: the scheduler deleted our queues (it declared us
    /// dead while we were paused or cut off), or the broker closed the channel. Declare the queues again and
    /// consume; the next heartbeat re-registers us, and the scheduler cancels whatever it no longer wants us to run.
    /// No "joined" here: that would tell the scheduler we hold nothing, and it would requeue our running tasks.
    /// </summary>
    private Task OnQueueLostAsync(string why)
    {
        if (!_agent.Draining && !_stopping.IsCancellationRequested)
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
            _logger.LogWarning("Worker {WorkerId} lost its queue consumer ({Why}); consuming again", _options.Id, why);
            await Task.Delay(TimeSpan.FromMilliseconds(100), _time, _stopping);
            await ConsumeAsync(announce: null, _stopping);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogError(e, "Worker {WorkerId} could not rejoin", _options.Id);
        }
        finally
        {
            _rejoin.Release();
        }
    }
}
