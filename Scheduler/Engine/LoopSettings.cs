namespace TaskScheduler.Scheduler.Engine;

/// <summary>
/// What the loop's timing reads of the <c>Scheduler</c> settings (Hosting fills it from the bound options): how often
/// workers heartbeat, so liveness is checked twice as often, the most inputs one turn takes, and how long inputs
/// gather after a small turn.
/// </summary>
public sealed record LoopSettings(TimeSpan HeartbeatInterval, int MaxTurnInputs)
{
    /// <summary>A turn of fewer inputs than this is followed by <see cref="TurnLinger"/>.</summary>
    public const int SmallTurn = 32;

    /// <summary>How long inputs gather after a small turn (<c>Scheduler:TurnLinger</c>); zero: not at all.</summary>
    public TimeSpan TurnLinger { get; init; } = TimeSpan.Zero;
}
