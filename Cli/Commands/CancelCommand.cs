using System.CommandLine;
using System.Net;
using TaskScheduler.Cli.Api;

namespace TaskScheduler.Cli.Commands;

/// <summary><c>tasks cancel ID [--reason TEXT]</c></summary>
public static class CancelCommand
{
    public static Command Create()
    {
        var id = new Argument<Guid>("id") { Description = "The task's id" };
        var reason = new Option<string?>("--reason") { Description = "Why, for the task's history" };
        var command = new Command("cancel", "Cancel a task: a pending one never runs, a running one is stopped; either ends Cancelled") { id, reason };
        command.SetAction((result, ct) => CliRunner.RunAsync(result, async output =>
        {
            using var api = new SchedulerApi(result.GetValue(GlobalOptions.Scheduler)!);
            var taskId = result.GetValue(id);
            var (status, message) = await api.CancelAsync(taskId, result.GetValue(reason), ct);
            switch (status)
            {
                case HttpStatusCode.OK:
                    output.Result("cancelled", new { id = taskId, state = "cancelled" });
                    return ExitCodes.Ok;
                case HttpStatusCode.NotFound:
                    throw new CliException(ExitCodes.NotFound, $"no task {taskId}");
                case HttpStatusCode.Unauthorized:
                    throw new CliException(ExitCodes.Usage, $"{message} (set TASKS_API_KEY)");
                case HttpStatusCode.Conflict:
                    throw new CliException(ExitCodes.Rejected, $"task {taskId}: {message}");
                default:
                    throw new CliException(ExitCodes.SchedulerUnreachable, $"the scheduler answered {(int)status}: {message}");
            }
        }));
        return command;
    }
}
