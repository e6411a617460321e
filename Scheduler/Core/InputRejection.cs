namespace TaskScheduler.Scheduler.Core;

/// <summary>Why an input from a producer (a submission, a batch, a cancel request) was refused, and the task's id when one could be read.</summary>
public sealed record InputRejection(Guid? Id, string Reason);
