namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>Scheduler settings several test classes start with, to keep their tests short.</summary>
public static class SchedulerArgs
{
    /// <summary>Preempt quickly (half a second of run time suffices).</summary>
    public static readonly string[] QuickPreemption =
    [
        "--Scheduler:Preemption:MinRunTime=00:00:00.500",
        "--Scheduler:Preemption:FinishingWithin=00:00:01",
    ];

    /// <summary>Retry a second after a failure.</summary>
    public static readonly string[] QuickRetries = ["--Scheduler:Retry:InitialBackoff=00:00:01", "--Scheduler:Retry:MaxBackoff=00:00:01"];
}
