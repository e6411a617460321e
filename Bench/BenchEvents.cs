using System.Collections.Concurrent;
using TaskScheduler.Client;
using TaskScheduler.Client.Events;

namespace TaskScheduler.Bench;

/// <summary>
/// Follows the task events of the bench's own tasks, as any other service would: the first <c>pending</c> event
/// (accepted) and the final one (completed, failed, cancelled, rejected), which carries the worker's start and
/// finish. Bound before the first submission, so nothing is missed.
/// </summary>
public sealed class BenchEvents : IAsyncDisposable
{
    private static readonly TaskEventKind[] Kinds =
        [TaskEventKind.Pending, TaskEventKind.Completed, TaskEventKind.Failed, TaskEventKind.Cancelled, TaskEventKind.Rejected];

    private readonly ConcurrentDictionary<Guid, BenchTask> _tasks;
    private readonly BenchClock _clock;
    private readonly BenchProgress _progress;
    private readonly SemaphoreSlim _outstanding;
    private readonly TaskCompletionSource _allDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IAsyncDisposable? _subscription;
    private readonly bool _untilAccepted;
    private long _finished;
    private long _expected = long.MaxValue;

    /// <param name="untilAccepted">A task counts as done once accepted: for filling a backlog that nothing runs.</param>
    public BenchEvents(ConcurrentDictionary<Guid, BenchTask> tasks, BenchClock clock, BenchProgress progress, SemaphoreSlim outstanding, bool untilAccepted = false)
    {
        _untilAccepted = untilAccepted;
        _tasks = tasks;
        _clock = clock;
        _progress = progress;
        _outstanding = outstanding;
    }

    public async Task StartAsync(ITaskSchedulerClient client, CancellationToken ct) =>
        _subscription = await client.SubscribeAsync(Kinds, Record, ct);

    /// <summary>Completes once <paramref name="count"/> tasks have finished, or when <paramref name="timeout"/> passes.</summary>
    public async Task<bool> WaitForAsync(long count, TimeSpan timeout, CancellationToken ct)
    {
        Interlocked.Exchange(ref _expected, count);
        if (Interlocked.Read(ref _finished) >= count)
        {
            return true;
        }

        try
        {
            await _allDone.Task.WaitAsync(timeout, ct);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_subscription is not null)
        {
            await _subscription.DisposeAsync();
        }
    }

    private void Record(TaskEvent e)
    {
        var now = _clock.Now;
        if (!_tasks.TryGetValue(e.TaskId, out var task))
        {
            return; // Someone else's task on the same system.
        }

        if (e.Kind == TaskEventKind.Pending)
        {
            if (task.AcceptedAt < 0)
            {
                task.AcceptedAt = now;
                _progress.CountAccepted();
                if (_untilAccepted)
                {
                    CountDone();
                }
            }

            return;
        }

        lock (task)
        {
            if (task.IsDone)
            {
                return;
            }

            task.WorkerId = e.WorkerId;
            task.StartedAt = e.StartedAt;
            task.FinishedAt = e.FinishedAt;
            task.DoneAt = now;
            task.Outcome = TaskEventDecoder.WireName(e.Kind);
        }

        _progress.CountFinished();
        if (!_untilAccepted || e.Kind == TaskEventKind.Rejected)
        {
            CountDone();
        }
    }

    private void CountDone()
    {
        _outstanding.Release();
        if (Interlocked.Increment(ref _finished) >= Interlocked.Read(ref _expected))
        {
            _allDone.TrySetResult();
        }
    }
}
