using System.CommandLine;

namespace TaskScheduler.Cli.Commands;

/// <summary><c>tasks priority ID N [--reason TEXT]</c></summary>
public static class PriorityCommand
{
    public static Command Create()
    {
        var priority = new Argument<int>("priority") { Description = "The new priority (higher runs first)" };
        return TaskAction.Create(
            "priority", "Change the priority of a pending task; it takes its new place in the queue", "the task's history", async run =>
            {
                var value = run.Result.GetValue(priority);
                var answer = await run.Client.ChangePriorityAsync(run.TaskId, value, run.Reason, run.Token);
                return TaskActionOutput.Report(run.Output, run.TaskId, answer, $"priority {value}", new { id = run.TaskId, priority = value });
            },
            priority);
    }
}
