using System.CommandLine;
using System.Globalization;
using System.Text;
using TaskScheduler.Cli.Api;

namespace TaskScheduler.Cli.Commands;

/// <summary><c>tasks status ID</c></summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var id = new Argument<Guid>("id") { Description = "The task's id" };
        var command = new Command("status", "Show a task's state, attempts, worker, times and, while it waits, why") { id };
        command.SetAction((result, ct) => CliRunner.RunAsync(result, async output =>
        {
            using var api = new SchedulerApi(result.GetValue(GlobalOptions.Scheduler)!);
            var taskId = result.GetValue(id);
            var task = await api.GetTaskAsync(taskId, ct)
                ?? throw new CliException(ExitCodes.NotFound, $"no task {taskId}");

            var text = new StringBuilder();
            void Line(string name, object? value) =>
                text.AppendLine(CultureInfo.InvariantCulture, $"  {name,-10} {value ?? "-"}");
            text.AppendLine(CultureInfo.InvariantCulture, $"task {task.Id}");
            Line("state", task.State);
            if (task.PendingReason is not null)
            {
                Line("waiting", task.PendingReason);
            }

            Line("priority", task.Priority);
            Line("attempts", task.Attempts);
            Line("worker", task.WorkerId);
            Line("submitted", task.SubmittedAt.ToString("u", CultureInfo.InvariantCulture));
            Line("started", task.StartedAt?.ToString("u", CultureInfo.InvariantCulture));
            Line("finished", task.FinishedAt?.ToString("u", CultureInfo.InvariantCulture));
            Line("error", task.Error);
            Line("payload", $"{task.PayloadBytes} bytes");
            output.Result(text.ToString().TrimEnd(), task);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
