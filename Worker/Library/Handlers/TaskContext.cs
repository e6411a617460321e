using System.Text;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Worker.Handlers;

/// <summary>One attempt of a task, as its handler sees it.</summary>
public sealed class TaskContext
{
    private readonly IAttemptState _attempt;
    private readonly Func<TaskCheckpointed, CancellationToken, Task> _publishCheckpoint;
    private readonly TimeProvider _time;

    internal TaskContext(IAttemptState attempt, string workerId, Func<TaskCheckpointed, CancellationToken, Task> publishCheckpoint, TimeProvider time)
    {
        _attempt = attempt;
        _publishCheckpoint = publishCheckpoint;
        _time = time;
        WorkerId = workerId;
    }

    public Guid TaskId => _attempt.Order.TaskId;

    /// <summary>1 for the first run; each retry, requeue or resumption is a new attempt.</summary>
    public int Attempt => _attempt.Order.Attempt;

    public int Priority => _attempt.Order.Priority;

    public string Payload => _attempt.Order.Payload;

    /// <summary>The checkpoint an earlier attempt saved or paused with; null on a first run.</summary>
    public string? Checkpoint => _attempt.Order.Checkpoint;

    /// <summary>How long this attempt may run (the task's timeout, else Worker:DefaultTimeout); null for no limit.</summary>
    public TimeSpan? Timeout => _attempt.Timeout;

    public string WorkerId { get; }

    /// <summary>Why the cancellation token fired; <see cref="StopReason.None"/> while it has not.</summary>
    public StopReason StopReason => _attempt.StopReason;

    /// <summary>
    /// Says how far the attempt is: <paramref name="fraction"/> from 0 to 1 and a short message (cut to 200
    /// characters). It travels in the next heartbeat and shows in <c>tasks status</c> and the API. Cheap: call it as
    /// often as you like. <paramref name="remaining"/>, when you know it, keeps the scheduler from preempting a task
    /// about to finish.
    /// </summary>
    public void ReportProgress(double fraction, string? message = null, TimeSpan? remaining = null)
    {
        var clamped = double.IsNaN(fraction) ? 0 : Math.Clamp(fraction, 0, 1);
        var text = message is { Length: > Limits.MaxProgressMessageLength } ? message[..Limits.MaxProgressMessageLength] : message;
        var now = _time.GetUtcNow();
        _attempt.Progress = new TaskProgress(clamped, text, now);
        _attempt.ExpectedEnd = now + remaining;
    }

    /// <summary>
    /// Saves a checkpoint (opaque text, at most 1 MiB as UTF-8): should this attempt be lost, handed back or
    /// preempted without an answer, the next one starts from it. Completes once the broker has it.
    /// </summary>
    public async Task SaveCheckpointAsync(string checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var bytes = Encoding.UTF8.GetByteCount(checkpoint);
        if (bytes > Limits.MaxCheckpointBytes)
        {
            throw new ArgumentException($"a checkpoint is at most {Limits.MaxCheckpointBytes} bytes as UTF-8, not {bytes}", nameof(checkpoint));
        }

        if (_attempt.Over)
        {
            throw new InvalidOperationException($"attempt {Attempt} of task {TaskId} is over; it can no longer save a checkpoint");
        }

        await _publishCheckpoint(new TaskCheckpointed(WorkerId, TaskId, Attempt, checkpoint, _time.GetUtcNow()), cancellationToken);
        _attempt.LastCheckpoint = checkpoint;
    }
}
