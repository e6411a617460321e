namespace TaskScheduler.Cli.Invocation;

/// <summary>Exit codes scripts can rely on.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The task ended Failed or Cancelled (with --wait).</summary>
    public const int TaskFailed = 1;

    public const int Usage = 2;

    public const int BrokerUnreachable = 3;

    public const int SchedulerUnreachable = 4;

    /// <summary>The scheduler rejected the submission.</summary>
    public const int Rejected = 5;

    /// <summary>Waiting for the task took longer than --wait-timeout (tasks submit) or --timeout (tasks bench).</summary>
    public const int Timeout = 6;

    /// <summary>The task id is unknown.</summary>
    public const int NotFound = 7;
}
