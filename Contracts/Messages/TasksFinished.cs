namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// Several results of one worker in one message (<c>worker.{id}.results</c>): whatever finished while the worker's
/// previous report was on its way to the broker. Each result is judged (and fenced) on its own.
/// </summary>
public sealed record TasksFinished(string WorkerId, IReadOnlyList<TaskFinished> Results) : IWorkerEvent;
