using TaskScheduler.Cli.Invocation;
using TaskScheduler.Client;

namespace TaskScheduler.Cli.Commands;

/// <summary>What an action on one task prints, and its exit code: 0 done, 7 not found, 5 not applicable.</summary>
public static class TaskActionOutput
{
    public static int Report(Output output, Guid id, TaskActionResult answer, string done, object json) => answer.Status switch
    {
        TaskActionStatus.Done => Print(output, $"{id}: {done}", json),
        TaskActionStatus.NotFound => throw new CliException(ExitCodes.NotFound, $"task {id} is unknown or expired"),
        _ => throw new CliException(ExitCodes.Rejected, answer.Detail ?? $"task {id}: not in a state this applies to"),
    };

    private static int Print(Output output, string text, object json)
    {
        output.Result(text, json);
        return ExitCodes.Ok;
    }
}
