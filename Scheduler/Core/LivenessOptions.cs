namespace TaskScheduler.Scheduler.Core;

/// <summary>How the scheduler decides a worker is gone, and how long an assignment may be missing from its heartbeats.</summary>
public sealed record LivenessOptions(TimeSpan HeartbeatInterval, int MissedHeartbeats)
{
    public static readonly LivenessOptions Default = new(TimeSpan.FromSeconds(1), 3);

    /// <summary>Silence longer than this and a worker is declared dead.</summary>
    public TimeSpan Window => HeartbeatInterval * MissedHeartbeats;

    /// <summary>
    /// An assignment younger than this may still be on its way to the worker, so its absence from a heartbeat
    /// proves nothing yet.
    /// </summary>
    public TimeSpan ReconcileGrace => Window * 2;

    /// <summary>
    /// The loop takes its inputs at least this often when it is well. A longer pause between two takings (a freeze of
    /// the process, a stalled disk, a blocked broker connection) is the scheduler's own silence, not the workers'.
    /// </summary>
    public TimeSpan AttentionInterval => HeartbeatInterval / 2;
}
