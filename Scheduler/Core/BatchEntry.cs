namespace TaskScheduler.Scheduler.Core;

/// <summary>
/// One task of a batch submission as read: its place in the batch (from 0), its own bytes (what a refusal copies to
/// the rejected queue, rather than the whole batch), and either the task or why it cannot be read.
/// </summary>
public sealed record BatchEntry(int Index, ReadOnlyMemory<byte> Raw, ParsedSubmission? Task, InputRejection? Rejection);
