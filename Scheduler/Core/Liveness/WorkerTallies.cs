namespace TaskScheduler.Scheduler.Core.Liveness;

/// <summary>
/// The counts of workers that are gone (declared dead, left), kept so a worker that registers again under the same id
/// within this process's life shows its counts where they were. The oldest are forgotten past a cap: worker ids may
/// be new for every process (autoscaled workers), and the memory must not grow with them.
/// </summary>
public sealed class WorkerTallies
{
    public const int Cap = 10_000;

    private readonly Dictionary<string, (long Completed, long Failed)> _byWorker = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public int Count => _byWorker.Count;

    /// <summary>The worker is gone: its counts are kept in case it comes back.</summary>
    public void Keep(WorkerEntry worker)
    {
        if (worker.Completed == 0 && worker.Failed == 0)
        {
            return;
        }

        if (_byWorker.TryAdd(worker.Id, (worker.Completed, worker.Failed)))
        {
            _order.Enqueue(worker.Id);
        }
        else
        {
            _byWorker[worker.Id] = (worker.Completed, worker.Failed);
        }

        while (_byWorker.Count > Cap)
        {
            _byWorker.Remove(_order.Dequeue());
        }
    }

    /// <summary>The worker registered again: it carries on from the counts it had.</summary>
    public void Restore(WorkerEntry worker)
    {
        if (_byWorker.Remove(worker.Id, out var counts))
        {
            worker.Completed += counts.Completed;
            worker.Failed += counts.Failed;
        }
    }
}
