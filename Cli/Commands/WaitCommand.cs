using System.CommandLine;
using TaskScheduler.Cli.Invocation;
using TaskScheduler.Client;

namespace TaskScheduler.Cli.Commands;

/// <summary><c>tasks wait ID [--wait-timeout T] [--unknown-grace T]</c></summary>
public static class WaitCommand
{
    public static Command Create()
    {
        var id = new Argument<Guid>("id") { Description = "The task's id" };
        var waitTimeout = TaskFollowOutput.WaitTimeoutOption("Give up waiting after this long (30s, 10m, 2h, 00:30:00); the task goes on");
        var unknownGrace = TaskFollowOutput.DurationOption(
            "--unknown-grace",
            "How long an id the scheduler does not know is waited for (a task sent over the broker may not have arrived yet) " +
            "before the wait fails with exit code 7; 30s unless given",
            TaskSchedulerClientOptions.DefaultUnknownTaskGrace,
            positive: false);
        var command = new Command(
            "wait", "Follow a task to its end: its result alone on standard output, the steps on standard error; fail if it does, or if the task is unknown")
        {
            id, waitTimeout, unknownGrace,
        };
        command.SetAction((result, ct) => CliRunner.RunAsync(result, async output =>
        {
            var taskId = result.GetValue(id);
            await using var client = ClientFactory.Create(result, configure: options => options.UnknownTaskGrace = result.GetValue(unknownGrace));
            return await TaskFollowOutput.RunAsync(taskId, token => client.WatchAsync(taskId, token), result.GetValue(waitTimeout), output, ct);
        }));
        return command;
    }
}
