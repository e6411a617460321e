namespace TaskScheduler.Scheduler.Engine;

/// <summary>What one slice of expiry deleted: whole tasks, and payloads of Completed tasks kept without them.</summary>
public readonly record struct ExpirySlice(int Tasks, int Payloads)
{
    public int Total => Tasks + Payloads;
}
