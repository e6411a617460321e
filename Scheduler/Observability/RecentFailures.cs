using TaskScheduler.Dashboard;

namespace TaskScheduler.Scheduler.Observability;

/// <summary>The last failed tasks since the scheduler started, newest first, for the dashboard.</summary>
public sealed class RecentFailures
{
    public const int Capacity = 50;

    private readonly LinkedList<FailedTask> _failures = new();
    private readonly Lock _lock = new();

    public void Add(FailedTask failure)
    {
        lock (_lock)
        {
            _failures.AddFirst(failure);
            if (_failures.Count > Capacity)
            {
                _failures.RemoveLast();
            }
        }
    }

    public IReadOnlyList<FailedTask> Newest(int count)
    {
        lock (_lock)
        {
            return [.. _failures.Take(count)];
        }
    }
}
