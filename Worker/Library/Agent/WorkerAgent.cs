using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Worker.Configuration;
using TaskScheduler.Worker.Handlers;
using TaskScheduler.Worker.Telemetry;
using TaskScheduler.Worker.Transport;

namespace TaskScheduler.Worker.Agent;

/// <summary>
/// Runs what the scheduler assigns: one handler run per (task, attempt) on a thread of its own, its result published
/// before the assignment is acknowledged; cancel, preempt and timeout fire the handler's token with their reason,
/// and a handler that does not stop within <see cref="WorkerOptions.PreemptGrace"/> is given up on; on stop, a drain
/// that finishes or hands back what runs.
/// </summary>
internal sealed class WorkerAgent : IDisposable
{
    private readonly ConcurrentDictionary<Guid, RunningAttempt> _running = new();
    /// <summary>Attempts a drain stopped and left unacknowledged: in heartbeats, then listed in <c>WorkerLeft</c>.</summary>
    private readonly ConcurrentQueue<RunningAttempt> _handedBack = new();
    private readonly FinishedAttempts _finished = new();
    private readonly WorkerTransport _transport;
    private readonly TaskHandlerActivator _handlers;
    private readonly WorkerOptions _options;
    private readonly IReadOnlyList<string>? _tags;
    private readonly TimeProvider _time;
    private readonly ILogger<WorkerAgent> _logger;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly HandlerThreads _threads = new();
    private readonly TermFence _fence = new();

    public WorkerAgent(WorkerTransport transport, TaskHandlerActivator handlers, IOptions<WorkerOptions> options, TimeProvider time, ILogger<WorkerAgent> logger)
    {
        _transport = transport;
        _handlers = handlers;
        _options = options.Value;
        _tags = _options.TagList is { Count: > 0 } tags ? tags : null;
        _time = time;
        _logger = logger;
    }

    public bool Draining { get; private set; }

    public IReadOnlyList<RunningTask> Running() =>
        [.. _running.Values.Select(r => new RunningTask(r.TaskId, r.Attempt))];

    /// <summary>Lists what runs, each with its handler's progress and the time it says it still needs.</summary>
    public WorkerHeartbeat Heartbeat()
    {
        var now = _time.GetUtcNow();
        // A handed-back attempt is still ours (unacknowledged) until "left" says so: a heartbeat that left it out
        // would have the scheduler requeue it as missing, before and instead of the hand-back.
        var running = _running.Values.Concat(_handedBack.Where(r => !_running.ContainsKey(r.TaskId)))
            .Select(r => new RunningTask(r.TaskId, r.Attempt) { Remaining = r.ExpectedEnd is { } end ? Max(end - now, TimeSpan.Zero) : null, Progress = r.Progress })
            .ToList();
        return new WorkerHeartbeat(_options.Id, _options.Capacity, running, Draining, now) { Tags = _tags, Term = _fence.Highest, RefusedOrders = _fence.Refused };
    }

    public async Task OnAssignmentAsync(AssignTask order, Delivery delivery)
    {
        if (!Admits(order.Term, "assignment", order.TaskId, order.Attempt))
        {
            // Removed, not run: the leader that deposed its sender holds the attempt unconfirmed, and requeues it when
            // our heartbeats do not list it.
            await delivery.AckAsync();
            return;
        }

        if (_finished.Contains(order.TaskId, order.Attempt))
        {
            // Redelivered after we ran it: the result is already on its way; only the acknowledgement was lost.
            _logger.LogInformation("Task {TaskId} attempt {Attempt} was redelivered after it finished here; not run again", order.TaskId, order.Attempt);
            await delivery.AckAsync();
            return;
        }

        if (_running.TryGetValue(order.TaskId, out var current))
        {
            if (current.Attempt == order.Attempt)
            {
                // The broker redelivered an attempt we are already running (channel recovery, consumer timeout).
                current.Delivery = delivery;
                return;
            }

            _logger.LogInformation("Task {TaskId}: attempt {Attempt} supersedes attempt {Old}", order.TaskId, order.Attempt, current.Attempt);
            current.RequestStop(StopReason.Cancelled);
        }

        var attempt = new RunningAttempt(order, delivery, order.Timeout ?? _options.DefaultTimeout, _threads.Post) { LastCheckpoint = order.Checkpoint };
        _running[order.TaskId] = attempt;
        attempt.Execution = Task.Run(() => ExecuteAsync(attempt));
    }

    public Task OnCancelAsync(CancelTask cancel)
    {
        if (Admits(cancel.Term, "cancel", cancel.TaskId, cancel.Attempt) && _running.TryGetValue(cancel.TaskId, out var attempt) && attempt.Attempt == cancel.Attempt)
        {
            _logger.LogInformation("Task {TaskId} attempt {Attempt} cancelled by the scheduler: {Reason}", cancel.TaskId, cancel.Attempt, cancel.Reason);
            attempt.RequestStop(StopReason.Cancelled);
        }

        return Task.CompletedTask;
    }

    /// <summary>Asks an attempt to pause on the scheduler's order; it reports its checkpoint when it has stopped.</summary>
    public Task OnPreemptAsync(PreemptTask preempt)
    {
        if (Admits(preempt.Term, "preempt order", preempt.TaskId, preempt.Attempt) && _running.TryGetValue(preempt.TaskId, out var attempt) && attempt.Attempt == preempt.Attempt)
        {
            _logger.LogInformation("Task {TaskId} attempt {Attempt} preempted by the scheduler: {Reason}", preempt.TaskId, preempt.Attempt, preempt.Reason);
            attempt.RequestStop(StopReason.Preempted);
        }

        return Task.CompletedTask;
    }

    /// <summary>A new leader's announcement: from now on, orders of an older term are refused.</summary>
    public Task OnLeadsAsync(SchedulerLeads leads)
    {
        var before = _fence.Highest;
        if (_fence.Learn(leads.Term) == leads.Term && leads.Term > before)
        {
            _logger.LogInformation("A scheduler of term {Term} leads (term {Before} before): orders of older terms are refused from now on", leads.Term, before);
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops taking work, lets running tasks finish for up to <paramref name="timeout"/>, hands back the rest.</summary>
    public async Task<IReadOnlyList<RunningTask>> DrainAsync(TimeSpan timeout)
    {
        Draining = true;
        var executions = _running.Values.Select(r => r.Execution).ToArray();
        await Task.WhenAny(Task.WhenAll(executions), Task.Delay(timeout, _time));

        var stopping = _running.Values.ToList();
        foreach (var attempt in stopping)
        {
            attempt.RequestStop(StopReason.Draining);
        }

        await Task.WhenAll(stopping.Select(r => r.Execution));
        return [.. _handedBack.Select(r => new RunningTask(r.TaskId, r.Attempt))];
    }

    /// <summary>Gives up on publishing results that cannot get out (the host is being torn down).</summary>
    public void Abandon() => _shutdown.Cancel();

    public void Dispose() => _shutdown.Dispose();

    private async Task ExecuteAsync(RunningAttempt attempt)
    {
        var order = attempt.Order;
        using var scope = _logger.BeginScope(WorkerTelemetry.Scope(order, _options.Id));
        using var span = WorkerTelemetry.StartExecution(order, _options.Id, attempt.Delivery.Parent);
        var startedAt = _time.GetUtcNow();
        var startDelay = Stopwatch.GetElapsedTime(attempt.Delivery.ReceivedAt);
        _logger.LogDebug("Executing task {TaskId} attempt {Attempt}", order.TaskId, order.Attempt);

        using var timeout = attempt.Timeout is { } limit ? _time.CreateTimer(_ => attempt.RequestStop(StopReason.TimedOut), null, limit, Timeout.InfiniteTimeSpan) : null;
        var outcome = await RunHandlerAsync(attempt);
        timeout?.Dispose();
        var end = AttemptEnding.Decide(attempt.StopReason, outcome, attempt.LastCheckpoint, attempt.Timeout);
        attempt.Over = true;
        span?.SetTag("task.stopped", attempt.StopReason == StopReason.None ? null : attempt.StopReason.ToString());
        _logger.LogDebug("Task {TaskId} attempt {Attempt} ended: {End} {Outcome} (stop: {Reason}) after {Elapsed}",
            order.TaskId, order.Attempt, end.Kind, end.Outcome, attempt.StopReason, _time.GetUtcNow() - startedAt);
        switch (end.Kind)
        {
            case AttemptEndKind.Finished:
                var result = new TaskFinished(_options.Id, order.TaskId, order.Attempt, end.Outcome, end.Error, startedAt, _time.GetUtcNow()) { Result = end.Result, StartDelayMs = Math.Round(startDelay.TotalMilliseconds, 3) };
                span?.SetTag("task.outcome", end.Outcome.ToString());
                if (end.Error is not null)
                {
                    span?.SetStatus(ActivityStatusCode.Error, end.Error);
                }

                // The slot is free once the result is on its way: acknowledge without waiting for the broker to
                // confirm the result (with prefetch = capacity an unacknowledged assignment would hold back the next
                // one). Should the result be lost after all, the publish is retried; should the worker die first,
                // the scheduler requeues the attempt and fences off any late result.
                await ReportAsync(attempt, ct => _transport.PublishAsync(result, ct));
                break;

            case AttemptEndKind.Paused:
                var paused = new TaskPreempted(_options.Id, order.TaskId, order.Attempt, end.Checkpoint, _time.GetUtcNow());
                await ReportAsync(attempt, ct => _transport.PublishAsync(paused, ct));
                break;

            case AttemptEndKind.Dropped:
                // Cancelled or superseded: the scheduler no longer wants this attempt, so the message is done with.
                _finished.Add(order.TaskId, order.Attempt);
                await attempt.Delivery.AckAsync();
                break;

            case AttemptEndKind.HandedBack:
                // Left unacknowledged and listed in "left"; a newer checkpoint goes first, so the next attempt has it.
                _handedBack.Enqueue(attempt);
                if (end.Checkpoint is not null && end.Checkpoint != attempt.LastCheckpoint)
                {
                    var saved = new TaskCheckpointed(_options.Id, order.TaskId, order.Attempt, end.Checkpoint, _time.GetUtcNow());
                    await PublishReliablyAsync(ct => _transport.PublishAsync(saved, ct), order.TaskId);
                }

                break;
        }

        _running.TryRemove(new KeyValuePair<Guid, RunningAttempt>(attempt.TaskId, attempt));
        if (!outcome.WasAbandoned)
        {
            attempt.Dispose();
        }
    }

    /// <summary>
    /// Runs the handler on a handler thread (a handler that blocks or spins holds that thread only), in a DI scope
    /// of its own; once the token has fired, waits at most the grace for it to return.
    /// </summary>
    private async Task<HandlerOutcome> RunHandlerAsync(RunningAttempt attempt)
    {
        var context = new TaskContext(attempt, _options.Id, (c, ct) => _transport.PublishAsync(c, ct), _time);
        var run = _threads.Run(() => _handlers.RunAsync(context, attempt.Token));

        if (await Task.WhenAny(run, attempt.Stopped) != run
            && await Task.WhenAny(run, Task.Delay(_options.PreemptGrace, _time)) != run)
        {
            _logger.LogWarning("Task {TaskId} attempt {Attempt}: the handler ignored its token ({Reason}) for {Grace}; the slot is freed and whatever it still does is not heard",
                attempt.TaskId, attempt.Attempt, attempt.StopReason, _options.PreemptGrace);
            _ = run.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, System.Threading.Tasks.TaskScheduler.Default);
            return HandlerOutcome.Abandoned;
        }

        try
        {
            return HandlerOutcome.Of(await run);
        }
#pragma warning disable CA1031 // Whatever the handler throws is the attempt's failure, never the worker's.
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (attempt.StopReason == StopReason.None)
            {
                _logger.LogWarning(e, "Task {TaskId} attempt {Attempt}: the handler threw", attempt.TaskId, attempt.Attempt);
            }

            return HandlerOutcome.Of(e);
        }
    }

    /// <summary>Marks the attempt run, publishes its report, and acknowledges its assignment without waiting for the confirm.</summary>
    private async Task ReportAsync(RunningAttempt attempt, Func<CancellationToken, Task> publish)
    {
        _finished.Add(attempt.TaskId, attempt.Attempt);
        var reported = PublishReliablyAsync(publish, attempt.TaskId);
        await attempt.Delivery.AckAsync();
        await reported;
    }

    /// <summary>Whether an order of <paramref name="term"/> is obeyed; a refusal is logged with both terms.</summary>
    private bool Admits(long term, string order, Guid taskId, int attempt)
    {
        if (_fence.Admits(term))
        {
            return true;
        }

        _logger.LogWarning("Refused the {Order} of task {TaskId} attempt {Attempt}: it is of term {Term}, and a scheduler of term {Seen} leads (a deposed scheduler sent it)",
            order, taskId, attempt, term, _fence.Highest);
        return false;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>A result or a checkpoint is worth keeping: retry while the broker is away, until the host gives up.</summary>
    private async Task PublishReliablyAsync(Func<CancellationToken, Task> publish, Guid taskId)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                await publish(_shutdown.Token);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogWarning(e, "Could not publish the report on task {TaskId}; retrying in {Delay}", taskId, delay);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await Task.Delay(delay, _time, _shutdown.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }
}
