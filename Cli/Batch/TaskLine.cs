namespace TaskScheduler.Cli.Batch;

/// <summary>
/// One non-blank line of a JSONL file of tasks: its number (from 1), the task's JSON as it will be sent, and its id
/// when it has one (generated for an object that names none); or <see cref="Problem"/> when it cannot be sent at all.
/// </summary>
public sealed record TaskLine(int Number, string? Json, Guid? Id, string? Problem);
