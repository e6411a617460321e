namespace TaskScheduler.Contracts;

public static class TaskStateExtensions
{
    public static bool IsFinal(this TaskState state) =>
        state is TaskState.Completed or TaskState.Failed or TaskState.Cancelled;

    /// <summary>The lower-case word used in routing keys and on the command line.</summary>
    public static string ToWireName(this TaskState state) => state switch
    {
        TaskState.Pending => "pending",
        TaskState.Running => "running",
        TaskState.Completed => "completed",
        TaskState.Failed => "failed",
        TaskState.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };
}
