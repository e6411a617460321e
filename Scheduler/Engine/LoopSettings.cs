namespace TaskScheduler.Scheduler.Engine;

/// <summary>
/// What the loop's timing reads of the <c>Scheduler</c> settings (Hosting fills it from the bound options): how often
/// workers heartbeat, so liveness is checked twice as often, and the most inputs one turn takes.
/// </summary>
public sealed record LoopSettings(TimeSpan HeartbeatInterval, int MaxTurnInputs);
