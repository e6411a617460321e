namespace TaskScheduler.Worker.Handlers;

/// <summary>How a handler ended an attempt.</summary>
public enum TaskResultKind
{
    Completed,
    Failed,
    Paused,
}
