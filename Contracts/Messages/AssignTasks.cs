namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// Several assignments to one worker in one message (AMQP type <c>assign-batch</c>): what one scheduler group
/// decided for that worker, so a busy system pays one broker hop per group and worker instead of one per task.
/// Each order carries its own trace context; the message is acknowledged once every order in it is done with.
/// </summary>
public sealed record AssignTasks(IReadOnlyList<AssignTask> Tasks);
