using System.CommandLine;
using TaskScheduler.Cli.Invocation;

namespace TaskScheduler.Cli.Commands;

/// <summary><c>tasks priority ID N [--reason TEXT]</c></summary>
public static class PriorityCommand
{
    public static Command Create()
    {
        var id = new Argument<Guid>("id") { Description = "The task's id" };
        var priority = new Argument<int>("priority") { Description = "The new priority (higher runs first)" };
        var reason = new Option<string?>("--reason") { Description = "Why, for the task's history" };
        var command = new Command("priority", "Change the priority of a pending task; it takes its new place in the queue") { id, priority, reason };
        command.SetAction((result, ct) => CliRunner.RunAsync(result, async output =>
        {
            var taskId = result.GetValue(id);
            var value = result.GetValue(priority);
            await using var client = ClientFactory.Create(result);
            var answer = await client.ChangePriorityAsync(taskId, value, result.GetValue(reason), ct);
            return TaskActionOutput.Report(output, taskId, answer, $"priority {value}", new { id = taskId, priority = value });
        }));
        return command;
    }
}
