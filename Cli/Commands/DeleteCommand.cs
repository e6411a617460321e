using System.CommandLine;

namespace TaskScheduler.Cli.Commands;

/// <summary><c>tasks delete ID [--reason TEXT]</c></summary>
public static class DeleteCommand
{
    public static Command Create() => TaskAction.Create(
        "delete", "Delete a finished task with its payload, result and history", "the scheduler's log", async run =>
        {
            var answer = await run.Client.DeleteAsync(run.TaskId, run.Reason, run.Token);
            return TaskActionOutput.Report(run.Output, run.TaskId, answer, "deleted", new { id = run.TaskId, deleted = true });
        });
}
