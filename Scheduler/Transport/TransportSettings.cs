namespace TaskScheduler.Scheduler.Transport;

/// <summary>
/// What the transport reads of the <c>Scheduler</c> settings (Hosting fills it from the bound options): the consumers'
/// prefetch and submission buffer, whether assignments are persistent, the largest batch submission and the bounds of
/// the rejected queue.
/// </summary>
public sealed record TransportSettings(
    ushort SubmitPrefetch,
    ushort EventsPrefetch,
    long SubmitBufferBytes,
    bool PersistentAssignments,
    int MaxBatchTasks,
    RejectedQueueOptions RejectedQueue);
