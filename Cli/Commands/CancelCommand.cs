using System.CommandLine;
using TaskScheduler.Cli.Invocation;
using TaskScheduler.Client;

namespace TaskScheduler.Cli.Commands;

/// <summary><c>tasks cancel ID [--reason TEXT]</c></summary>
public static class CancelCommand
{
    public static Command Create() => TaskAction.Create(
        "cancel", "Cancel a task: a pending one never runs, a running one is stopped; either ends Cancelled", "the task's history", async run =>
        {
            CancelResult answer;
            try
            {
                answer = await run.Client.CancelAsync(run.TaskId, run.Reason, run.Token);
            }
            catch (TaskSchedulerClientException e) when (e is not TaskSchedulerUnavailableException)
            {
                throw new CliException(ExitCodes.Usage, $"{e.Message} (set TASKS_API_KEY)");
            }

            switch (answer)
            {
                case CancelResult.Cancelled:
                case CancelResult.AlreadyCancelled:
                    run.Output.Result("cancelled", new { id = run.TaskId, state = "cancelled" });
                    return ExitCodes.Ok;
                case CancelResult.NotFound:
                    throw new CliException(ExitCodes.NotFound, $"task {run.TaskId} is unknown or expired");
                default:
                    throw new CliException(ExitCodes.Rejected, $"task {run.TaskId}: the task has already finished; it cannot be cancelled");
            }
        });
}
