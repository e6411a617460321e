using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskScheduler.Scheduler.Observability;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>
/// Timing and cancellation only: waits for input or the next liveness check, gathers a turn, and hands it to
/// <see cref="SchedulerEngine"/>. Everything the loop touches is owned by this one loop.
/// </summary>
public sealed class SchedulerLoop(
    SchedulerEngine engine,
    IInputSource source,
    Channel<SchedulerInput> inputs,
    PublishedView state,
    LoopSettings settings,
    TimeProvider time,
    ILogger<SchedulerLoop> logger) : BackgroundService
{
    /// <summary>How long a stop waits for written turns to be delivered; within the host's shutdown timeout.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // The host stops; Program turns this into a non-zero exit so that a supervisor restarts the scheduler.
            state.Fail(e);
            logger.LogCritical(e, "The scheduler loop died");
            throw;
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        // Restoring a large journal takes a while: the host finishes starting meanwhile, and /health/ready says so.
        await Task.Yield();
        engine.Restore();
        await source.StartAsync(inputs.Writer, stoppingToken);
        // Delivery outlives the stop request by at most DrainTimeout: turns already written are delivered, in order.
        using var drain = new CancellationTokenSource();
        var delivery = Task.Run(() => engine.DeliverAsync(drain.Token), CancellationToken.None);
        state.Turned(time.GetUtcNow());
        state.Ready = true;
        logger.LogInformation("Scheduler ready on broker prefix '{Prefix}'", source.Prefix);

        try
        {
            var checkEvery = settings.HeartbeatInterval / 2;
            var nextCheck = time.GetUtcNow() + checkEvery;
            var turn = new List<SchedulerInput>(settings.MaxTurnInputs);
            var moreWork = true;
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!moreWork)
                {
                    var wakeAt = engine.NextWakeAt is { } due && due < nextCheck ? due : nextCheck;
                    await WaitForInputAsync(wakeAt - time.GetUtcNow(), stoppingToken);
                }

                if (turn.Count is > 0 and < LoopSettings.SmallTurn && settings.TurnLinger > TimeSpan.Zero)
                {
                    // The last turn was small: let inputs gather, so the next one's commit and messages serve more tasks.
                    await Task.Delay(settings.TurnLinger, time, stoppingToken);
                }

                turn.Clear();
                var weight = 0;
                while (weight < settings.MaxTurnInputs && inputs.Reader.TryRead(out var input))
                {
                    turn.Add(input);
                    weight += input.Weight;
                }

                foreach (var input in turn)
                {
                    SchedulerStages.Since(SchedulerStages.TurnWait, input.QueuedAt);
                }

                var now = time.GetUtcNow();
                state.Turned(now);
                var checkLiveness = now >= nextCheck;
                if (checkLiveness)
                {
                    nextCheck = now + checkEvery;
                }

                var retryDue = engine.NextWakeAt <= now;
                if (turn.Count > 0 || checkLiveness || moreWork || retryDue)
                {
                    moreWork = await engine.RunAsync(turn, checkLiveness, drained: !inputs.Reader.TryPeek(out _), stoppingToken);
                }
            }
        }
        finally
        {
            await DrainAsync(delivery, drain);
        }
    }

    /// <summary>Lets delivery finish the turns already written, for <see cref="DrainTimeout"/> at most.</summary>
    private async Task DrainAsync(Task delivery, CancellationTokenSource drain)
    {
        engine.CompleteDelivery();
        drain.CancelAfter(DrainTimeout);
        try
        {
            await delivery;
        }
        catch (OperationCanceledException) when (drain.IsCancellationRequested)
        {
            logger.LogWarning("Delivery did not drain within {Timeout}; the broker redelivers what was not acknowledged", DrainTimeout);
        }
    }

    private async Task WaitForInputAsync(TimeSpan delay, CancellationToken ct)
    {
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(delay);
        try
        {
            await inputs.Reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The liveness check is due.
        }
    }
}
