namespace TaskScheduler.Worker.Handlers;

/// <summary>
/// Your code, run once per attempt of a task. Resolved from dependency injection in a scope of its own for each
/// attempt, and started on a thread of its own, so blocking or CPU-bound code does not hold up the worker.
/// </summary>
public interface ITaskHandler
{
    /// <summary>
    /// Runs one attempt. Return <see cref="TaskResult.Completed"/>, <see cref="TaskResult.Failed"/>, or, when the
    /// token fires with <see cref="StopReason.Preempted"/>, <see cref="TaskResult.Paused"/> with a checkpoint the next
    /// attempt starts from. A thrown exception fails the attempt ("Type: message"); retries apply.
    /// <see cref="TaskContext.StopReason"/> says why the token fired.
    /// </summary>
    Task<TaskResult> RunAsync(TaskContext context, CancellationToken cancellationToken);
}
