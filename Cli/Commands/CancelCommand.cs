using System.CommandLine;
using TaskScheduler.Cli.Invocation;
using TaskScheduler.Client;

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
            var taskId = result.GetValue(id);
            await using var client = ClientFactory.Create(result);
            CancelResult answer;
            try
            {
                answer = await client.CancelAsync(taskId, result.GetValue(reason), ct);
            }
            catch (TaskSchedulerClientException e) when (e is not TaskSchedulerUnavailableException)
            {
                throw new CliException(ExitCodes.Usage, $"{e.Message} (set TASKS_API_KEY)");
            }

            switch (answer)
            {
                case CancelResult.Cancelled:
                case CancelResult.AlreadyCancelled:
                    output.Result("cancelled", new { id = taskId, state = "cancelled" });
                    return ExitCodes.Ok;
                case CancelResult.NotFound:
                    throw new CliException(ExitCodes.NotFound, $"task {taskId} is unknown or expired");
                default:
                    throw new CliException(ExitCodes.Rejected, $"task {taskId}: the task has already finished; it cannot be cancelled");
            }
        }));
        return command;
    }
}
