namespace TaskScheduler.Scheduler.Http;

/// <summary>What a key may do over HTTP: each endpoint needs one role.</summary>
public enum ApiRole
{
    /// <summary>Look: task status, lists, workers, stats, the dashboard's data.</summary>
    Read,

    /// <summary>Submit tasks and graphs.</summary>
    Submit,

    /// <summary>Act on tasks: cancel, retry, change a priority, delete.</summary>
    Operate,
}
