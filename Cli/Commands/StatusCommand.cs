using System.CommandLine;
using System.Globalization;
using System.Text;
using TaskScheduler.Cli.Api;
using TaskScheduler.Cli.Invocation;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Cli.Commands;

/// <summary><c>tasks status ID [--history]</c></summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var id = new Argument<Guid>("id") { Description = "The task's id" };
        var history = new Option<bool>("--history") { Description = "Also list every step of the task's life, oldest first (with --json: only the steps)" };
        var command = new Command("status", "Show a task's state, attempts, worker, times and, while it waits, why") { id, history };
        command.SetAction((result, ct) => CliRunner.RunAsync(result, async output =>
        {
            var taskId = result.GetValue(id);
            TaskStatusView task;
            await using (var client = ClientFactory.Create(result))
            {
                task = await client.GetStatusAsync(taskId, ct) ?? throw new CliException(ExitCodes.NotFound, $"task {taskId} is unknown or expired");
            }

            var text = Describe(task);
            if (!result.GetValue(history))
            {
                output.Result(text.TrimEnd(), task);
                return ExitCodes.Ok;
            }

            using var api = new SchedulerApi(result.GetValue(GlobalOptions.Scheduler)!);
            var steps = await api.GetHistoryAsync(taskId, ct) ?? throw new CliException(ExitCodes.NotFound, $"task {taskId} is unknown or expired");
            output.Result($"{text}{DescribeHistory(steps)}".TrimEnd(), steps);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string Describe(TaskStatusView task)
    {
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
        if (task.DependsOn.Count > 0)
        {
            Line("depends on", $"{task.DependsOn.Count} tasks ({task.UnfinishedDependencies} unfinished): {string.Join(", ", task.DependsOn)}");
        }

        if (task.MaxRetries > 0)
        {
            Line("retries", $"{task.Retries} of {task.MaxRetries}");
        }

        if (task.Timeout is { } timeout)
        {
            Line("timeout", TaskTimeout.Format(timeout));
        }

        if (task.Progress is { } progress)
        {
            Line("progress", $"{progress.Fraction.ToString("P0", CultureInfo.InvariantCulture)}{(progress.Message is null ? "" : $" {progress.Message}")}");
        }

        if (task.Preemptions > 0)
        {
            Line("preempted", $"{task.Preemptions} times");
        }

        if (task.Checkpoint is not null)
        {
            Line("checkpoint", $"{Encoding.UTF8.GetByteCount(task.Checkpoint)} bytes");
        }

        if (task.Result is not null)
        {
            Line("result", Preview(task.Result));
        }

        return text.ToString();
    }

    /// <summary>A short one-line result as it is; a long or multi-line one as its size and its start (--json has it whole).</summary>
    private static string Preview(string result)
    {
        const int Shown = 120;
        if (result.Length <= Shown && !result.Contains('\n', StringComparison.Ordinal))
        {
            return result;
        }

        var start = BoundedText.Start(result.ReplaceLineEndings(" "), Shown);
        return $"{Encoding.UTF8.GetByteCount(result)} bytes: {start}… (--json shows it whole)";
    }

    private static string DescribeHistory(IReadOnlyList<TaskHistoryEntry> steps)
    {
        var text = new StringBuilder().AppendLine("history");
        foreach (var step in steps)
        {
            var where = step.WorkerId is null ? "" : $" on {step.WorkerId}";
            var attempt = step.Attempt is { } a ? $" (attempt {a})" : "";
            var detail = step.Detail is null ? "" : $": {step.Detail}";
            text.AppendLine(CultureInfo.InvariantCulture, $"  {step.At.UtcDateTime:yyyy-MM-dd HH:mm:ss.fff}  {step.Event}{where}{attempt}{detail}");
        }

        return text.ToString();
    }
}
