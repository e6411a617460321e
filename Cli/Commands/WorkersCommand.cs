using System.CommandLine;
using System.Globalization;
using System.Text;
using TaskScheduler.Cli.Api;
using TaskScheduler.Cli.Invocation;

namespace TaskScheduler.Cli.Commands;

/// <summary><c>tasks workers</c></summary>
public static class WorkersCommand
{
    public static Command Create()
    {
        var command = new Command("workers", "List live workers with their load and last heartbeat");
        command.SetAction((result, ct) => CliRunner.RunAsync(result, async output =>
        {
            using var api = new SchedulerApi(result.GetValue(GlobalOptions.Scheduler)!);
            var workers = await api.GetWorkersAsync(ct);
            var now = DateTimeOffset.UtcNow;
            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"{"WORKER",-28} {"LOAD",-7} {"HEARTBEAT",-10} {"DONE",8} {"FAILED",7}  STATE");
            foreach (var w in workers)
            {
                var state = !w.Confirmed ? "awaiting heartbeat" : w.Draining ? "draining" : "alive";
                var age = $"{(now - w.LastHeartbeatAt).TotalSeconds:0.0}s ago";
                text.AppendLine(CultureInfo.InvariantCulture, $"{w.Id,-28} {$"{w.InFlight}/{w.Capacity}",-7} {age,-10} {w.Completed,8} {w.Failed,7}  {state}");
            }

            text.Append(CultureInfo.InvariantCulture, $"{workers.Length} workers");
            output.Result(text.ToString(), workers);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
