namespace TaskScheduler.Worker.Handlers;

/// <summary>What a handler returns: completed (with an optional result), failed (with an error), or paused (with a checkpoint).</summary>
public sealed record TaskResult
{
    private TaskResult(TaskResultKind kind, string? text)
    {
        Kind = kind;
        Text = text;
    }

    public TaskResultKind Kind { get; }

    /// <summary>The result, the error or the checkpoint, by <see cref="Kind"/>.</summary>
    public string? Text { get; }

    /// <summary>The task completed; <paramref name="result"/> (at most 1 MiB as UTF-8) goes back to whoever waits for it.</summary>
    public static TaskResult Completed(string? result = null) => new(TaskResultKind.Completed, result);

    /// <summary>The attempt failed with <paramref name="error"/>; the task is retried if it has retries left.</summary>
    public static TaskResult Failed(string error) => new(TaskResultKind.Failed, error);

    /// <summary>The answer to <see cref="StopReason.Preempted"/>: the next attempt starts from <paramref name="checkpoint"/>.</summary>
    public static TaskResult Paused(string checkpoint) => new(TaskResultKind.Paused, checkpoint);
}
