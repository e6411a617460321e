using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Liveness;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Observability;

namespace TaskScheduler.Scheduler.Transport;

/// <summary>
/// What delivery sends of a durable turn, on the transport's publishing channel with publisher confirms: assignments
/// (batched per worker), cancel and preempt orders, task events, copies of refused inputs; and the acknowledgements
/// and queue deletions it asks for, which the transport's consumers and administrative channel carry out.
/// </summary>
public sealed class TurnPublisher : ITurnPublisher
{
    private const int MaxPublishAttempts = 35;

    /// <summary>Bound to no queue: probes are dropped by the exchange (no worker routing key looks like it).</summary>
    private const string ProbeRoutingKey = "scheduler.probe";

    private readonly SchedulerTransport _transport;
    private readonly TransportSettings _settings;
    private readonly TaskTracing _tracing;
    private readonly PublishedEvents _published;
    private readonly ILogger<TurnPublisher> _logger;
    private int _probing;

    public TurnPublisher(
        SchedulerTransport transport,
        TransportSettings settings,
        TaskTracing tracing,
        IOptions<EventsOptions> events,
        ILogger<TurnPublisher> logger)
    {
        _published = events.Value.Published();
        if (!_published.PublishesEnds)
        {
            logger.LogWarning(
                "{Section}:States publishes {States}: clients waiting for a task learn of its end by polling its status instead " +
                "(the client's StatusPollInterval, 10 s by default), and of a refused broker submission only from the rejected queue",
                EventsOptions.Section, _published);
        }

        _transport = transport;
        _settings = settings;
        _tracing = tracing;
        _logger = logger;
    }

    private Topology Topology => _transport.Topology;

    private PublishingChannel Publishing => _transport.Publishing ?? throw new InvalidOperationException("The transport has not started.");

    /// <summary>
    /// Publishes the orders and notices of one committed turn and waits for their confirms. Returns the
    /// assignments the broker handed back because the worker's queue no longer exists.
    /// </summary>
    public async Task<IReadOnlyList<Assignment>> PublishOrdersAsync(
        IReadOnlyList<(Assignment Assignment, string Payload)> assignments,
        IReadOnlyList<TaskStateChanged> events,
        IReadOnlyList<WorkerCancel> cancels,
        IReadOnlyList<WorkerPreempt> preempts,
        CancellationToken ct)
    {
        var returned = new List<Assignment>();
        var sends = new List<Task>(assignments.Count + events.Count + cancels.Count + preempts.Count);
        foreach (var batch in AssignmentBatches.Split(assignments))
        {
            sends.Add(SendAssignmentsAsync(batch, returned, ct));
        }

        foreach (var cancel in cancels)
        {
            var body = AmqpMessages.Serialize(cancel.Order, WireJson.Default.CancelTask);
            sends.Add(RetryAsync(channel => channel.BasicPublishAsync("", Topology.WorkerControlQueue(cancel.WorkerId), false,
                AmqpMessages.Persistent(Topology.ControlTypes.Cancel), body, ct), ct));
        }

        foreach (var preempt in preempts)
        {
            var body = AmqpMessages.Serialize(preempt.Order, WireJson.Default.PreemptTask);
            sends.Add(RetryAsync(channel => channel.BasicPublishAsync("", Topology.WorkerControlQueue(preempt.WorkerId), false,
                AmqpMessages.Persistent(Topology.ControlTypes.Preempt), body, ct), ct));
        }

        foreach (var change in events)
        {
            if (!_published.Publishes(change.State))
            {
                continue;
            }

            var body = AmqpMessages.Serialize(change, WireJson.Default.TaskStateChanged);
            sends.Add(RetryAsync(channel => channel.BasicPublishAsync(Topology.EventsExchange, Topology.TaskEventKey(change.TaskId, change.State.ToWireName()),
                false, AmqpMessages.Persistent("task-state-changed"), body, ct), ct));
        }

        await Task.WhenAll(sends);
        return returned;
    }

    /// <summary>
    /// Copies rejected submissions, with their reason, to the rejected queue and announces them; the originals may
    /// be acknowledged only once this has been confirmed.
    /// </summary>
    public async Task PublishRejectionsAsync(IReadOnlyList<RejectedInput> rejected, IReadOnlyList<TaskRejected> rejectionEvents, CancellationToken ct)
    {
        var channel = await Publishing.OpenAsync(ct);
        var sends = new List<Task>(rejected.Count + rejectionEvents.Count);
        foreach (var message in rejected)
        {
            var properties = AmqpMessages.Persistent("rejected-submission");
            properties.Headers = RejectionHeaders.For(message.Headers, message.Reason);
            sends.Add(channel.BasicPublishAsync("", Topology.RejectedQueue, false, properties, message.Body, ct).AsTask());
        }

        foreach (var rejection in rejectionEvents.Where(_ => _published.PublishesRejections))
        {
            var body = AmqpMessages.Serialize(rejection, WireJson.Default.TaskRejected);
            sends.Add(channel.BasicPublishAsync(Topology.EventsExchange, Topology.TaskEventKey(rejection.TaskId, Topology.RejectedKind),
                false, AmqpMessages.Persistent("task-rejected"), body, ct).AsTask());
        }

        await Task.WhenAll(sends);
    }

    /// <summary>
    /// Publishes a tiny message that no queue takes, unless the previous one still waits for its confirm. RabbitMQ tells
    /// a connection that a memory or disk alarm blocks it only once that connection publishes; workers' heartbeats are
    /// blocked at once, so without this an idle scheduler would take their silence for death before it learnt of the
    /// alarm.
    /// </summary>
    public void Probe()
    {
        if (_transport.Publishing is not { } publishing || Interlocked.Exchange(ref _probing, 1) == 1)
        {
            return;
        }

        _ = ProbeAsync(publishing);
    }

    public Task AckSubmissionsAsync(ulong upToTag, CancellationToken ct) => _transport.AckSubmissionsAsync(upToTag, ct);

    public Task AckWorkerEventsAsync(ulong upToTag, CancellationToken ct) => _transport.AckWorkerEventsAsync(upToTag, ct);

    public Task AckCancelsAsync(ulong upToTag, CancellationToken ct) => _transport.AckCancelsAsync(upToTag, ct);

    public Task DeleteWorkerQueuesAsync(string workerId, CancellationToken ct) => _transport.DeleteWorkerQueuesAsync(workerId, ct);

    /// <summary>
    /// Sends one worker several orders in one message. Mandatory: if the worker's queue is gone the broker hands
    /// the message back instead of dropping it, and every order in it is returned to the core.
    /// </summary>
    private async Task SendAssignmentsAsync(
        IReadOnlyList<(Assignment Assignment, string Payload)> batch, List<Assignment> returned, CancellationToken ct)
    {
        var spans = new List<System.Diagnostics.Activity>(batch.Count);
        var orders = new List<AssignTask>(batch.Count);
        foreach (var (assignment, payload) in batch)
        {
            var span = _tracing.StartAssignment(assignment);
            if (span is not null)
            {
                spans.Add(span);
            }

            orders.Add(new AssignTask(assignment.TaskId, assignment.Attempt, assignment.Priority, payload, assignment.AssignedAt)
            {
                Checkpoint = assignment.Checkpoint,
                Timeout = assignment.Timeout,
                TraceParent = span?.Id,
                TraceState = string.IsNullOrEmpty(span?.TraceStateString) ? null : span.TraceStateString,
            });
        }

        var workerId = batch[0].Assignment.WorkerId;
        var body = AmqpMessages.Serialize(new AssignTasks(orders), WireJson.Default.AssignTasks);
        try
        {
            await RetryAsync(channel => channel.BasicPublishAsync("", Topology.WorkerQueue(workerId), true,
                AssignmentProperties(), body, ct), ct);
        }
        catch (PublishException e) when (e.IsReturn)
        {
            spans.ForEach(s => s.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "returned: the worker's queue is gone"));
            lock (returned)
            {
                returned.AddRange(batch.Select(b => b.Assignment));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Still Running in the journal: the worker's heartbeats will not list them, and reconciliation requeues them.
            _logger.LogWarning(e, "{Count} assignments to worker {WorkerId} were not confirmed", batch.Count, workerId);
        }
        finally
        {
            spans.ForEach(s => s.Dispose());
        }
    }

    /// <summary>
    /// Publishes until the broker confirms, riding out a connection loss (the client recovers the connection and
    /// this channel) and a channel the broker closed (<see cref="PublishingChannel"/> opens another), and the message
    /// is sent again. A duplicate is harmless (a worker runs an attempt once, task events are notices). Gives up after
    /// about a minute; what then stays unsent is covered by reconciliation.
    /// </summary>
    private async Task RetryAsync(Func<IChannel, ValueTask> publish, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await publish(await Publishing.OpenAsync(ct));
                return;
            }
            catch (Exception e) when (attempt < MaxPublishAttempts && IsTransient(e))
            {
                if (attempt == 1)
                {
                    _logger.LogWarning("Publish failed ({Error}); retrying while the broker connection recovers", e.Message);
                }
            }

            await Task.Delay(delay, ct);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
        }
    }

    private async Task ProbeAsync(PublishingChannel publishing)
    {
        try
        {
            var channel = await publishing.OpenAsync(CancellationToken.None);
            await channel.BasicPublishAsync(Topology.EventsExchange, ProbeRoutingKey, false, new BasicProperties(), ReadOnlyMemory<byte>.Empty);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A lost connection is reported by its own events.
            _logger.LogDebug("Broker probe not confirmed: {Error}", e.Message);
        }
        finally
        {
            Volatile.Write(ref _probing, 0);
        }
    }

    /// <summary>
    /// Transient unless <c>Scheduler:PersistentAssignments</c>: the journal holds every assignment, and a
    /// worker's heartbeats reconcile what it holds, so an assignment a broker crash loses is requeued
    /// (docs/architecture.md, "Transient assignments").
    /// </summary>
    private BasicProperties AssignmentProperties() => _settings.PersistentAssignments
        ? AmqpMessages.Persistent(Topology.AssignmentTypes.Batch)
        : AmqpMessages.Transient(Topology.AssignmentTypes.Batch);

    private static bool IsTransient(Exception e) =>
        e is AlreadyClosedException or OperationInterruptedException or IOException or PublishException { IsReturn: false };
}
