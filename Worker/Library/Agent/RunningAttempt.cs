using TaskScheduler.Contracts.Messages;
using TaskScheduler.Worker.Handlers;
using TaskScheduler.Worker.Transport;

namespace TaskScheduler.Worker.Agent;

/// <summary>One attempt this worker is executing, and what its handler said so far.</summary>
internal sealed class RunningAttempt : IAttemptState, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private StopReason _reason;

    private readonly Action<Action> _fire;

    /// <param name="fire">
    /// Where the token is fired: the handler's code that runs on when it fires (continuations run inline) must not run
    /// on the thread that asked, a broker consumer's or a timer's.
    /// </param>
    public RunningAttempt(AssignTask order, Delivery delivery, TimeSpan? timeout, Action<Action> fire)
    {
        _fire = fire;
        Order = order;
        Delivery = delivery;
        Timeout = timeout;
    }

    public AssignTask Order { get; }

    public Guid TaskId => Order.TaskId;

    public int Attempt => Order.Attempt;

    public TimeSpan? Timeout { get; }

    /// <summary>The message to acknowledge at the end; replaced if the broker redelivers the same attempt.</summary>
    public Delivery Delivery { get; set; }

    public CancellationToken Token => _stop.Token;

    /// <summary>Completes when the token fires, whatever the reason.</summary>
    public Task Stopped => _stopped.Task;

    public StopReason StopReason
    {
        get
        {
            lock (_gate)
            {
                return _reason;
            }
        }
    }

    /// <summary>The latest progress the handler reported; null until it reports.</summary>
    public TaskProgress? Progress { get; set; }

    /// <summary>When the handler said, with its latest progress, it would be done; null if it did not say.</summary>
    public DateTimeOffset? ExpectedEnd { get; set; }

    /// <summary>The last checkpoint the broker confirmed for this attempt (or the one it started from).</summary>
    public string? LastCheckpoint { get; set; }

    /// <summary>Set once the attempt is reported or handed back: whatever its handler still does is not heard.</summary>
    public bool Over { get; set; }

    public Task Execution { get; set; } = Task.CompletedTask;

    /// <summary>
    /// Fires the token with <paramref name="reason"/>. The first reason stands, except that a cancel overrides any
    /// other: the scheduler no longer wants the attempt at all. False when the token had already fired.
    /// </summary>
    public bool RequestStop(StopReason reason)
    {
        lock (_gate)
        {
            if (_reason != StopReason.None && reason != StopReason.Cancelled)
            {
                return false;
            }

            var first = _reason == StopReason.None;
            _reason = reason;
            if (!first)
            {
                return false;
            }
        }

        _fire(() =>
        {
            try
            {
                _stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // A cancel order that arrived as the attempt ended: nothing is left to stop.
            }

            _stopped.TrySetResult();
        });
        return true;
    }

    /// <summary>Only once the handler has returned: one given up on may still be watching the token.</summary>
    public void Dispose() => _stop.Dispose();
}
