using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Liveness;
using TaskScheduler.Scheduler.Engine;

namespace TaskScheduler.UnitTests.Engine;

/// <summary>
/// A broker that logs what it is asked to send and acknowledge, and notes anything sent about a task whose state
/// no write is durable yet. Storing refusals can be made to fail a number of times.
/// </summary>
public sealed class FakePublisher(DeliveryLog log, FakeJournal journal) : ITurnPublisher
{
    private readonly List<string> _undurable = [];

    public int RejectionStoreFailures { get; set; }

    /// <summary>Bodies of refused inputs stored, in the order they were stored.</summary>
    public List<string> Stored { get; } = [];

    /// <summary>Messages sent about a task before its state was durable.</summary>
    public IReadOnlyList<string> Undurable
    {
        get
        {
            lock (_undurable)
            {
                return [.. _undurable];
            }
        }
    }

    public Task<IReadOnlyList<Assignment>> PublishOrdersAsync(
        IReadOnlyList<(Assignment Assignment, string Payload)> assignments,
        IReadOnlyList<TaskStateChanged> events,
        IReadOnlyList<WorkerCancel> cancels,
        IReadOnlyList<WorkerPreempt> preempts,
        CancellationToken ct)
    {
        foreach (var (assignment, _) in assignments)
        {
            Check(assignment.TaskId, $"assignment of {assignment.TaskId}");
            log.Add($"assign {assignment.TaskId}");
        }

        foreach (var change in events)
        {
            Check(change.TaskId, $"event {change.TaskId} {change.State}");
            log.Add($"event {change.TaskId} {change.State}");
        }

        return Task.FromResult<IReadOnlyList<Assignment>>([]);
    }

    public Task PublishRejectionsAsync(IReadOnlyList<RejectedInput> rejected, IReadOnlyList<TaskRejected> rejectionEvents, CancellationToken ct)
    {
        if (RejectionStoreFailures > 0)
        {
            RejectionStoreFailures--;
            log.Add("store refusals failed");
            throw new InvalidOperationException("the broker refused the publish");
        }

        foreach (var message in rejected)
        {
            var body = System.Text.Encoding.UTF8.GetString(message.Body.Span);
            Stored.Add(body);
            log.Add($"store {body}");
        }

        return Task.CompletedTask;
    }

    public Task AckSubmissionsAsync(ulong upToTag, CancellationToken ct) => Ack("submissions", upToTag);

    public Task AckWorkerEventsAsync(ulong upToTag, CancellationToken ct) => Ack("worker events", upToTag);

    public Task AckCancelsAsync(ulong upToTag, CancellationToken ct) => Ack("cancels", upToTag);

    public Task DeleteWorkerQueuesAsync(string workerId, CancellationToken ct)
    {
        log.Add($"delete queues of {workerId}");
        return Task.CompletedTask;
    }

    public void Probe()
    {
    }

    private Task Ack(string queue, ulong upToTag)
    {
        if (upToTag > 0)
        {
            log.Add($"ack {queue} {upToTag}");
        }

        return Task.CompletedTask;
    }

    private void Check(Guid taskId, string what)
    {
        if (journal.DurableState(taskId) is null)
        {
            lock (_undurable)
            {
                _undurable.Add(what);
            }
        }
    }
}
