using TaskScheduler.Worker.Transport;

namespace TaskScheduler.Worker.Agent;

/// <summary>One attempt this worker is executing.</summary>
internal sealed class RunningAttempt
{
    public RunningAttempt(Guid taskId, int attempt, Delivery delivery)
    {
        TaskId = taskId;
        Attempt = attempt;
        Delivery = delivery;
    }

    public Guid TaskId { get; }

    public int Attempt { get; }

    /// <summary>The message to acknowledge at the end; replaced if the broker redelivers the same attempt.</summary>
    public Delivery Delivery { get; set; }

    public CancellationTokenSource Stop { get; } = new();

    /// <summary>True when stopped to be handed back rather than cancelled: its message is left unacknowledged.</summary>
    public bool HandedBack { get; set; }

    /// <summary>True when stopped on a preempt order: its progress is reported, to be resumed elsewhere.</summary>
    public bool Preempted { get; set; }

    /// <summary>When the work still to do is expected to be done; null until execution starts.</summary>
    public DateTimeOffset? ExpectedEnd { get; set; }

    public Task Execution { get; set; } = Task.CompletedTask;
}
