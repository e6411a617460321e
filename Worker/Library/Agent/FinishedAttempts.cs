namespace TaskScheduler.Worker.Agent;

/// <summary>
/// The attempts this process has recently finished. The broker redelivers an assignment whose acknowledgement it
/// never saw (the connection dropped first); remembering what we ran keeps one attempt to one execution.
/// </summary>
internal sealed class FinishedAttempts
{
    private readonly Lock _lock = new();
    private readonly HashSet<(Guid TaskId, int Attempt)> _set = [];
    private readonly Queue<(Guid TaskId, int Attempt)> _order = new();
    private readonly int _capacity;

    public FinishedAttempts(int capacity = 100_000) => _capacity = capacity;

    public void Add(Guid taskId, int attempt)
    {
        lock (_lock)
        {
            if (!_set.Add((taskId, attempt)))
            {
                return;
            }

            _order.Enqueue((taskId, attempt));
            if (_order.Count > _capacity)
            {
                _set.Remove(_order.Dequeue());
            }
        }
    }

    public bool Contains(Guid taskId, int attempt)
    {
        lock (_lock)
        {
            return _set.Contains((taskId, attempt));
        }
    }
}
