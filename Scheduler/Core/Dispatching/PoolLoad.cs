namespace TaskScheduler.Scheduler.Core.Dispatching;

/// <summary>
/// One pool: the tasks that require one set of worker tags (none for the <c>default</c> pool), queued and running,
/// and the live workers whose tags are exactly that set, with their free slots.
/// </summary>
public sealed record PoolLoad(string Pool, IReadOnlyList<string> Tags, int Pending, int Running, int Workers, int FreeSlots);
