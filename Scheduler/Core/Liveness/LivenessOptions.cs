namespace TaskScheduler.Scheduler.Core.Liveness;

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
    /// The loop takes its inputs at least twice per heartbeat interval when it is well. A pause between two takings
    /// longer than one interval (a freeze of the process, a stalled disk, a blocked broker connection) is the
    /// scheduler's own silence beyond this, not the workers'; shorter delays (a busy machine) are not excused.
    /// </summary>
    public TimeSpan AttentionInterval => HeartbeatInterval;
}
