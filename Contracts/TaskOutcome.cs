namespace TaskScheduler.Contracts;

/// <summary>What a worker reports at the end of one attempt.</summary>
public enum TaskOutcome
{
    Completed,
    Failed,
}
