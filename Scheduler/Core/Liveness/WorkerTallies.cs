namespace TaskScheduler.Scheduler.Core.Liveness;

/// <summary>
/// The counts of workers that are gone (declared dead, left), kept so a worker that registers again under the same id
/// within this process's life shows its counts where they were. The oldest are forgotten past a cap: worker ids may
/// be new for every process (autoscaled workers), and the memory must not grow with them.
/// </summary>
public sealed class WorkerTallies
{
    public const int Cap = 10_000;

    // Oldest first; each kept worker has one node, removed with it, so a worker that comes and goes again and again
    // neither grows the list nor leaves a stale place in it that would push out a newer worker's counts.
    private readonly LinkedList<(string Id, long Completed, long Failed)> _order = new();
    private readonly Dictionary<string, LinkedListNode<(string Id, long Completed, long Failed)>> _byWorker = new(StringComparer.Ordinal);

    public int Count => _byWorker.Count;

    /// <summary>The worker is gone: its counts are kept in case it comes back.</summary>
    public void Keep(WorkerEntry worker)
    {
        if (worker.Completed == 0 && worker.Failed == 0)
        {
            return;
        }

        var counts = (worker.Id, worker.Completed, worker.Failed);
        if (_byWorker.TryGetValue(worker.Id, out var node))
        {
            node.Value = counts;
        }
        else
        {
            _byWorker.Add(worker.Id, _order.AddLast(counts));
        }

        while (_byWorker.Count > Cap)
        {
            _byWorker.Remove(_order.First!.Value.Id);
            _order.RemoveFirst();
        }
    }

    /// <summary>The worker registered again: it carries on from the counts it had.</summary>
    public void Restore(WorkerEntry worker)
    {
        if (_byWorker.Remove(worker.Id, out var node))
        {
            _order.Remove(node);
            worker.Completed += node.Value.Completed;
            worker.Failed += node.Value.Failed;
        }
    }
}
