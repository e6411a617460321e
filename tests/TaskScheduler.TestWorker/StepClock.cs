namespace TaskScheduler.TestWorker;

/// <summary>How long one step of a <c>steps</c> task takes; a singleton, so the handler shows it gets services injected.</summary>
public sealed class StepClock
{
    public TimeSpan Step { get; } = TimeSpan.FromMilliseconds(200);
}
