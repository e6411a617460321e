using System.Diagnostics;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>Runs the `tasks` command line as a user would and captures what it says.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    public static async Task<CliRun> RunAsync(TestSystem system, string? stdin, params string[] args)
    {
        var info = DotnetProgram.StartInfo(Repository.Program("Cli", "tasks.dll"), args);
        info.Environment["TASKS_BROKER_URL"] = system.BrokerUrl;
        info.Environment["TASKS_PREFIX"] = system.Prefix;
        info.Environment["TASKS_SCHEDULER_URL"] = system.SchedulerUrl;

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(cts.Token);
        return new CliRun(process.ExitCode, (await output).Trim(), (await error).Trim());
    }
}
