using System.CommandLine;
using TaskScheduler.Cli.Invocation;
using TaskScheduler.Client;

namespace TaskScheduler.Cli.Commands;

/// <summary>One run of a command that acts on one task (<see cref="TaskAction"/>): what its action is given.</summary>
public sealed record TaskActionRun(ITaskSchedulerClient Client, Guid TaskId, string? Reason, ParseResult Result, Output Output, CancellationToken Token);
