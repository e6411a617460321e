using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Worker.Execution;
using TaskScheduler.Worker.Telemetry;
using TaskScheduler.Worker.Transport;

namespace TaskScheduler.Worker.Agent;

/// <summary>
/// Runs what the scheduler assigns: one execution per (task, attempt), result published before the assignment is
/// acknowledged, cancel orders obeyed, and on stop a drain that finishes or hands back what runs.
/// </summary>
public sealed class WorkerAgent : IDisposable
{
    private readonly ConcurrentDictionary<Guid, RunningAttempt> _running = new();
    private readonly FinishedAttempts _finished = new();
    private readonly WorkerTransport _transport;
    private readonly WorkerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WorkerAgent> _logger;
    private readonly CancellationTokenSource _shutdown = new();

    public WorkerAgent(WorkerTransport transport, IOptions<WorkerOptions> options, TimeProvider time, ILogger<WorkerAgent> logger)
    {
        _transport = transport;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public bool Draining { get; private set; }

    public IReadOnlyList<RunningTask> Running() =>
        [.. _running.Values.Select(r => new RunningTask(r.TaskId, r.Attempt))];

    /// <summary>Lists what runs, each with the time it still needs, so the scheduler spares a task about to finish.</summary>
    public WorkerHeartbeat Heartbeat()
    {
        var now = _time.GetUtcNow();
        var running = _running.Values
            .Select(r => new RunningTask(r.TaskId, r.Attempt) { Remaining = r.ExpectedEnd is { } end ? Max(end - now, TimeSpan.Zero) : null })
            .ToList();
        return new WorkerHeartbeat(_options.Id, _options.Capacity, running, Draining, now);
    }

    public async Task OnAssignmentAsync(AssignTask order, Delivery delivery)
    {
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
            current.Stop.Cancel();
        }

        var attempt = new RunningAttempt(order.TaskId, order.Attempt, delivery);
        _running[order.TaskId] = attempt;
        attempt.Execution = Task.Run(() => ExecuteAsync(order, attempt));
    }

    public Task OnCancelAsync(CancelTask cancel)
    {
        if (_running.TryGetValue(cancel.TaskId, out var attempt) && attempt.Attempt == cancel.Attempt)
        {
            _logger.LogInformation("Task {TaskId} attempt {Attempt} cancelled by the scheduler: {Reason}", cancel.TaskId, cancel.Attempt, cancel.Reason);
            attempt.Stop.Cancel();
        }

        return Task.CompletedTask;
    }

    /// <summary>Pauses an attempt on the scheduler's order; it reports its progress when it has stopped.</summary>
    public Task OnPreemptAsync(PreemptTask preempt)
    {
        if (_running.TryGetValue(preempt.TaskId, out var attempt) && attempt.Attempt == preempt.Attempt && !attempt.HandedBack)
        {
            _logger.LogInformation("Task {TaskId} attempt {Attempt} preempted by the scheduler: {Reason}", preempt.TaskId, preempt.Attempt, preempt.Reason);
            attempt.Preempted = true;
            attempt.Stop.Cancel();
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops taking work, lets running tasks finish for up to <paramref name="timeout"/>, hands back the rest.</summary>
    public async Task<IReadOnlyList<RunningTask>> DrainAsync(TimeSpan timeout)
    {
        Draining = true;
        var executions = _running.Values.Select(r => r.Execution).ToArray();
        await Task.WhenAny(Task.WhenAll(executions), Task.Delay(timeout, _time));

        var handedBack = new List<RunningTask>();
        foreach (var attempt in _running.Values)
        {
            attempt.HandedBack = true;
            attempt.Stop.Cancel();
            handedBack.Add(new RunningTask(attempt.TaskId, attempt.Attempt));
        }

        await Task.WhenAll(_running.Values.Select(r => r.Execution));
        return handedBack;
    }

    /// <summary>Gives up on publishing results that cannot get out (the host is being torn down).</summary>
    public void Abandon() => _shutdown.Cancel();

    public void Dispose() => _shutdown.Dispose();

    private async Task ExecuteAsync(AssignTask order, RunningAttempt attempt)
    {
        using var scope = _logger.BeginScope(WorkerTelemetry.Scope(order, _options.Id));
        using var span = WorkerTelemetry.StartExecution(order, _options.Id, attempt.Delivery.Parent);
        var plan = SimulatedExecution.Plan(order.Payload, _options.MinRunTime, _options.MaxRunTime, _options.FailureRate);
        var startedAt = _time.GetUtcNow();

        // A resumed task continues from the checkpoint of the attempt that was preempted: only the rest is run.
        var checkpoint = long.TryParse(order.Checkpoint, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms)
            ? TimeSpan.FromMilliseconds(Math.Min(ms, (long)RunTimeHint.Max.TotalMilliseconds))
            : TimeSpan.Zero;
        var done = checkpoint > plan.Duration ? plan.Duration : checkpoint;
        var rest = plan.Duration - done;
        attempt.ExpectedEnd = startedAt + rest;
        _logger.LogDebug("Executing task {TaskId} attempt {Attempt} for {Duration}", order.TaskId, order.Attempt, rest);
        try
        {
            await Task.Delay(rest, _time, attempt.Stop.Token);
        }
        catch (OperationCanceledException) when (attempt.Preempted && !attempt.HandedBack)
        {
            // The checkpoint: what was done before, plus what this attempt did. The attempt itself is over.
            var progress = done + Max(_time.GetUtcNow() - startedAt, TimeSpan.Zero);
            var saved = progress < plan.Duration ? progress : plan.Duration;
            var report = new TaskPreempted(_options.Id, order.TaskId, order.Attempt,
                ((long)saved.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture), _time.GetUtcNow());
            span?.SetTag("task.stopped", "preempted");
            _logger.LogDebug("Task {TaskId} attempt {Attempt} paused with {Progress} of {Duration} done", order.TaskId, order.Attempt, saved, plan.Duration);
            _finished.Add(order.TaskId, order.Attempt);
            var checkpointed = PublishReliablyAsync(ct => _transport.PublishAsync(report, ct), order.TaskId);
            await attempt.Delivery.AckAsync();
            await checkpointed;
            _running.TryRemove(new KeyValuePair<Guid, RunningAttempt>(attempt.TaskId, attempt));
            return;
        }
        catch (OperationCanceledException)
        {
            span?.SetTag("task.stopped", attempt.HandedBack ? "handed back" : "cancelled");
            _logger.LogDebug("Task {TaskId} attempt {Attempt} stopped ({How})", order.TaskId, order.Attempt, attempt.HandedBack ? "handed back" : "cancelled");
            if (!attempt.HandedBack)
            {
                // Cancelled or superseded: the scheduler no longer wants this attempt, so the message is done with.
                _finished.Add(order.TaskId, order.Attempt);
                await attempt.Delivery.AckAsync();
            }

            _running.TryRemove(new KeyValuePair<Guid, RunningAttempt>(attempt.TaskId, attempt));
            return;
        }

        var outcome = plan.Fails ? TaskOutcome.Failed : TaskOutcome.Completed;
        var result = new TaskFinished(_options.Id, order.TaskId, order.Attempt, outcome, plan.Error, startedAt, _time.GetUtcNow());
        span?.SetTag("task.outcome", outcome.ToString());
        if (plan.Fails)
        {
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, plan.Error);
        }

        _logger.LogDebug("Task {TaskId} attempt {Attempt} {Outcome} after {Elapsed}", order.TaskId, order.Attempt, outcome, result.FinishedAt - startedAt);
        // The slot is free once the result is on its way: acknowledge without waiting for the broker to confirm
        // the result (with prefetch = capacity an unacknowledged assignment would hold back the next one). Should
        // the result be lost after all, the publish is retried; should the worker die first, the scheduler
        // requeues the attempt and fences off any late result.
        _finished.Add(order.TaskId, order.Attempt);
        var reported = PublishReliablyAsync(ct => _transport.PublishAsync(result, ct), result.TaskId);
        await attempt.Delivery.AckAsync();
        await reported;
        _running.TryRemove(new KeyValuePair<Guid, RunningAttempt>(attempt.TaskId, attempt));
    }

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

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
