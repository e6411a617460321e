using System.Collections.Concurrent;
using System.Diagnostics;

namespace TaskScheduler.Worker.Command;

/// <summary>
/// Starts every child from one thread that lives as long as the worker. On Linux a child started under
/// <c>setpriv --pdeathsig KILL</c> is killed when the thread that forked it ends, not only the process: a thread-pool
/// thread retiring, or an attempt's thread finishing, would kill children still at work. This thread ends only with
/// the process, so a child dies with its worker, even on kill -9.
/// </summary>
public sealed class ProcessSpawner : IDisposable
{
    private readonly BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Started)> _requests = [];

    public ProcessSpawner(ILogger<ProcessSpawner> logger)
    {
        if (DeathSignal.SetPriv is null)
        {
            logger.LogWarning("setpriv (util-linux) not found: commands start without a parent-death signal, and one may outlive this worker if it is killed");
        }

        var thread = new Thread(Run) { IsBackground = true, Name = "process spawner" };
        thread.Start();
    }

    public Task<Process> StartAsync(ProcessStartInfo info)
    {
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests.Add((info, started));
        return started.Task;
    }

    public void Dispose() => _requests.CompleteAdding();

    private void Run()
    {
        foreach (var (info, started) in _requests.GetConsumingEnumerable())
        {
            try
            {
                started.TrySetResult(Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start"));
            }
#pragma warning disable CA1031 // A start failure belongs to the attempt that asked.
            catch (Exception e)
#pragma warning restore CA1031
            {
                started.TrySetException(e);
            }
        }
    }
}
