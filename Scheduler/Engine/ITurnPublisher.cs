using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Liveness;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>
/// What the engine needs of the broker (Transport/SchedulerTransport) to deliver a durable turn: send what it
/// decided, store what it refused, acknowledge what it consumed, and remove the queues of workers that are gone.
/// </summary>
public interface ITurnPublisher
{
    /// <summary>
    /// Publishes a turn's orders and notices and waits for their confirms. Returns the assignments the broker handed
    /// back because the worker's queue no longer exists.
    /// </summary>
    Task<IReadOnlyList<Assignment>> PublishOrdersAsync(
        IReadOnlyList<(Assignment Assignment, string Payload)> assignments,
        IReadOnlyList<TaskStateChanged> events,
        IReadOnlyList<WorkerCancel> cancels,
        IReadOnlyList<WorkerPreempt> preempts,
        CancellationToken ct);

    /// <summary>Copies refused inputs to the rejected queue and announces them; confirmed before the originals are acknowledged.</summary>
    Task PublishRejectionsAsync(IReadOnlyList<RejectedInput> rejected, IReadOnlyList<TaskRejected> rejectionEvents, CancellationToken ct);

    /// <summary>Acknowledges every submission up to this delivery tag.</summary>
    Task AckSubmissionsAsync(ulong upToTag, CancellationToken ct);

    /// <summary>Acknowledges every worker event up to this delivery tag.</summary>
    Task AckWorkerEventsAsync(ulong upToTag, CancellationToken ct);

    /// <summary>Acknowledges every cancel request up to this delivery tag.</summary>
    Task AckCancelsAsync(ulong upToTag, CancellationToken ct);

    Task DeleteWorkerQueuesAsync(string workerId, CancellationToken ct);

    /// <summary>Publishes a message no queue takes, so the broker tells the connection of an alarm that blocks it.</summary>
    void Probe();
}
