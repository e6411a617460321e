namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// Many independent tasks in one message (AMQP <c>type</c> <c>submit-batch</c> on the submit exchange, or
/// <c>POST /api/tasks/batch</c>): <c>{"tasks":[{"id":…,"payload":…},…]}</c>. Unlike a graph, each task is accepted or
/// refused on its own; the whole batch is journaled in one commit. At most <c>Scheduler:MaxBatchTasks</c> tasks
/// (<see cref="Limits.DefaultMaxBatchTasks"/> by default) and <see cref="Limits.MaxSubmissionBytes"/> bytes.
/// </summary>
public sealed record SubmitTasks(IReadOnlyList<SubmitTask> Tasks);
