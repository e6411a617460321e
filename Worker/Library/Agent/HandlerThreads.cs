namespace TaskScheduler.Worker.Agent;

/// <summary>
/// Threads that run handlers and nothing else, never the thread pool's: each runs the synchronous part of one
/// attempt's handler at a time (up to its first real await), so a handler that spins or blocks holds only its own
/// thread, and the heartbeats, control orders and results, which run on the pool, go on. A thread is started
/// whenever none is idle (a blocked handler never delays another attempt) and retires after a while without work,
/// so a busy worker does not pay a thread's creation per attempt.
/// </summary>
internal sealed class HandlerThreads
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    private readonly object _gate = new();
    private readonly Queue<Action> _work = new();
    private int _idle;

    /// <summary>Starts <paramref name="start"/> on a handler thread; the task is the one it returns.</summary>
    public Task<T> Run<T>(Func<Task<T>> start)
    {
        var started = new TaskCompletionSource<Task<T>>(TaskCreationOptions.RunContinuationsAsynchronously);

        // The caller's execution context (its span, its log scope) goes with the handler, as with Task.Run.
        var context = ExecutionContext.Capture();
        Post(() =>
        {
            try
            {
                started.SetResult(context is null ? start() : RunIn(context, start));
            }
#pragma warning disable CA1031 // A synchronous throw belongs to the task, as it would for an async method.
            catch (Exception e)
#pragma warning restore CA1031
            {
                started.SetException(e);
            }
        });
        return started.Task.Unwrap();
    }

    private static Task<T> RunIn<T>(ExecutionContext context, Func<Task<T>> start)
    {
        Task<T>? task = null;
        ExecutionContext.Run(context, _ => task = start(), null);
        return task!;
    }

    /// <summary>Runs <paramref name="action"/> on a handler thread.</summary>
    public void Post(Action action)
    {
        lock (_gate)
        {
            _work.Enqueue(action);
            if (_idle >= _work.Count)
            {
                Monitor.Pulse(_gate);
                return;
            }
        }

        new Thread(Loop) { IsBackground = true, Name = "task handler" }.UnsafeStart();
    }

    private void Loop()
    {
        while (true)
        {
            Action next;
            lock (_gate)
            {
                while (_work.Count == 0)
                {
                    _idle++;
                    var woken = Monitor.Wait(_gate, IdleTimeout);
                    _idle--;
                    if (!woken && _work.Count == 0)
                    {
                        return;
                    }
                }

                next = _work.Dequeue();
            }

            next();
        }
    }
}
