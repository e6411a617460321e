namespace TaskScheduler.Dashboard;

/// <summary>
/// One interval of the scheduler's recent history: rates per second over the interval, levels at its end, and
/// latency percentiles in milliseconds of the tasks that finished or were assigned in it (null when none were).
/// </summary>
public sealed record SeriesPoint(
    DateTimeOffset At,
    double AcceptedPerSecond,
    double CompletedPerSecond,
    double FailedPerSecond,
    int Pending,
    int Running,
    int BusySlots,
    int Slots,
    double? SubmitToDoneP50,
    double? SubmitToDoneP95,
    double? AssignmentDelayP50,
    double? AssignmentDelayP95,
    double? RunTimeP50);
