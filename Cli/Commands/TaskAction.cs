using System.CommandLine;
using TaskScheduler.Cli.Invocation;

namespace TaskScheduler.Cli.Commands;

/// <summary>
/// The commands that act on one task by its id (<c>cancel</c>, <c>delete</c>, <c>priority</c>): the id argument,
/// any arguments of their own, the <c>--reason</c> option, and an action that gets a client made from the global
/// options.
/// </summary>
public static class TaskAction
{
    /// <param name="reasonKeptIn">Where the reason ends up: "the task's history", "the scheduler's log".</param>
    /// <param name="arguments">The command's own arguments, after the id.</param>
    public static Command Create(string name, string description, string reasonKeptIn, Func<TaskActionRun, Task<int>> act, params Argument[] arguments)
    {
        var id = new Argument<Guid>("id") { Description = "The task's id" };
        var reason = new Option<string?>("--reason") { Description = $"Why, for {reasonKeptIn}" };
        var command = new Command(name, description) { id };
        foreach (var argument in arguments)
        {
            command.Add(argument);
        }

        command.Add(reason);
        command.SetAction((result, ct) => CliRunner.RunAsync(result, async output =>
        {
            await using var client = ClientFactory.Create(result);
            return await act(new TaskActionRun(client, result.GetValue(id), result.GetValue(reason), result, output, ct));
        }));
        return command;
    }
}
