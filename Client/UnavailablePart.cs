namespace TaskScheduler.Client;

/// <summary>What a <see cref="TaskSchedulerUnavailableException"/> could not reach.</summary>
public enum UnavailablePart
{
    /// <summary>RabbitMQ: down, unreachable, or refusing the credentials.</summary>
    Broker,

    /// <summary>The scheduler: its exchanges are missing (never started under this prefix) or its HTTP API is silent.</summary>
    Scheduler,
}
