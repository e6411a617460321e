namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// An event a worker publishes on the events exchange, as <c>worker.{id}.{kind}</c>: joined, heartbeat, results (each
/// result of them too), preempted, checkpoint, left. The scheduler takes only these from a worker.
/// </summary>
public interface IWorkerEvent
{
    /// <summary>The worker that sent it; the routing key names the same worker, or the scheduler ignores the event.</summary>
    string WorkerId { get; }
}
