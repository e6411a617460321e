using System.CommandLine;
using TaskScheduler.Cli.Invocation;

namespace TaskScheduler.Cli.Commands;

/// <summary><c>tasks delete ID [--reason TEXT]</c></summary>
public static class DeleteCommand
{
    public static Command Create()
    {
        var id = new Argument<Guid>("id") { Description = "The task's id" };
        var reason = new Option<string?>("--reason") { Description = "Why, for the scheduler's log" };
        var command = new Command("delete", "Delete a finished task with its payload, result and history") { id, reason };
        command.SetAction((result, ct) => CliRunner.RunAsync(result, async output =>
        {
            var taskId = result.GetValue(id);
            await using var client = ClientFactory.Create(result);
            var answer = await client.DeleteAsync(taskId, result.GetValue(reason), ct);
            return TaskActionOutput.Report(output, taskId, answer, "deleted", new { id = taskId, deleted = true });
        }));
        return command;
    }
}
