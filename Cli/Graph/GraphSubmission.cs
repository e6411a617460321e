using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Cli.Graph;

/// <summary>A graph read from a file: the tasks to send as one message, and the id each name in the file became.</summary>
public sealed record GraphSubmission(IReadOnlyList<SubmitTask> Tasks, IReadOnlyDictionary<string, Guid> Names);
