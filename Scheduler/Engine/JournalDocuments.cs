namespace TaskScheduler.Scheduler.Engine;

/// <summary>
/// How far the task documents are behind the journal's committed turns: <see cref="Carried"/> tasks whose latest
/// changes are committed (in the turns' records) but not yet written as documents, and how many documents the
/// journal has inserted and updated since it opened. A plain task is inserted once, finished; a task that waited
/// longer than the materializer's window is inserted first and updated later, so updates count the backlog's cost.
/// </summary>
public readonly record struct JournalDocuments(int Carried, long Inserted, long Updated);
