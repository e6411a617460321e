using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Worker.Hosting;

/// <summary>
/// Sends heartbeats from a thread of its own, on its own clock: handlers that spin or block, or a thread pool they
/// starve, cannot delay them past the scheduler's liveness window.
/// </summary>
internal sealed class HeartbeatThread
{
    private readonly Func<WorkerHeartbeat> _heartbeat;
    private readonly Func<WorkerHeartbeat, CancellationToken, Task> _publish;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;

    public HeartbeatThread(Func<WorkerHeartbeat> heartbeat, Func<WorkerHeartbeat, CancellationToken, Task> publish, TimeSpan interval, ILogger logger)
    {
        _heartbeat = heartbeat;
        _publish = publish;
        _interval = interval;
        _logger = logger;
    }

    /// <summary>Heartbeats every interval until <paramref name="ct"/> fires; completes when the thread has ended.</summary>
    public Task RunAsync(CancellationToken ct)
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Loop(ct);
            }
            finally
            {
                ended.TrySetResult();
            }
        })
        {
            IsBackground = true,
            Name = "heartbeat",
        };
        thread.Start();
        return ended.Task;
    }

    private void Loop(CancellationToken ct)
    {
        var next = Environment.TickCount64;
        while (!ct.IsCancellationRequested)
        {
            next += (long)_interval.TotalMilliseconds;
            var wait = next - Environment.TickCount64;
            if (wait < 0)
            {
                // Fell behind (a long publish): beat now and count the interval from here.
                next = Environment.TickCount64;
            }
            else if (ct.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(wait)))
            {
                return;
            }

            try
            {
                // Bounded: a publish stuck on a lost connection must not stop the beats once it is back.
                _publish(_heartbeat(), ct).Wait(TimeSpan.FromSeconds(10), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogWarning("Heartbeat not sent: {Error}", (e as AggregateException)?.InnerException?.Message ?? e.Message);
            }
        }
    }
}
