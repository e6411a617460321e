using System.CommandLine;
using Spectre.Console;
using TaskScheduler.Cli.Api;
using TaskScheduler.Cli.Invocation;
using TaskScheduler.Cli.Top;
using TaskScheduler.Dashboard;

namespace TaskScheduler.Cli.Commands;

/// <summary><c>tasks top</c>: the dashboard in the terminal, refreshed in place until q or Ctrl+C.</summary>
public static class TopCommand
{
    public static Command Create()
    {
        var interval = new Option<double>("--interval")
        {
            Description = "Seconds between refreshes",
            DefaultValueFactory = _ => 1,
        };
        var once = new Option<bool>("--once")
        {
            Description = "Print one frame and exit (also what happens when the output is not a terminal)",
        };
        var command = new Command("top", "Live view of workers, queue depth, throughput and failures") { interval, once };
        command.SetAction((result, ct) => CliRunner.RunAsync(result, async output =>
        {
            var every = result.GetValue(interval);
            if (every is < 0.2 or > 60)
            {
                throw new CliException(ExitCodes.Usage, "--interval must be between 0.2 and 60 seconds");
            }

            using var api = new SchedulerApi(result.GetValue(GlobalOptions.Scheduler)!);
            var snapshot = await api.GetDashboardAsync(minutes: 1, ct);
            if (output.Json)
            {
                output.Result("", snapshot);
                return ExitCodes.Ok;
            }

            if (result.GetValue(once) || Console.IsOutputRedirected)
            {
                // Piped, there is no terminal width to honour; 80 columns would squeeze the tables.
                if (Console.IsOutputRedirected)
                {
                    AnsiConsole.Profile.Width = 140;
                }

                AnsiConsole.Write(TopView.Render(snapshot, api.BaseAddress));
                return ExitCodes.Ok;
            }

            await RunLiveAsync(api, snapshot, TimeSpan.FromSeconds(every), ct);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static async Task RunLiveAsync(SchedulerApi api, DashboardSnapshot first, TimeSpan every, CancellationToken ct)
    {
        using var quit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var keys = WatchForQuitKeyAsync(quit);
        var snapshot = first;
        string? problem = null;
        await AnsiConsole.Live(TopView.Render(snapshot, api.BaseAddress))
            .AutoClear(false)
            .Overflow(VerticalOverflow.Ellipsis)
            .StartAsync(async live =>
            {
                while (!quit.IsCancellationRequested)
                {
                    try
                    {
                        await Task.Delay(every, quit.Token);
                        snapshot = await api.GetDashboardAsync(minutes: 1, quit.Token);
                        problem = null;
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                    catch (CliException e)
                    {
                        // Keep showing the last picture, marked stale, and keep trying: the scheduler may be restarting.
                        problem = e.Message;
                    }

                    live.UpdateTarget(TopView.Render(snapshot, api.BaseAddress, problem));
                }
            });
        await quit.CancelAsync();
        await keys;
    }

    /// <summary>Stops the view when q is pressed; without a keyboard (input redirected) only Ctrl+C does.</summary>
    private static async Task WatchForQuitKeyAsync(CancellationTokenSource quit)
    {
        if (Console.IsInputRedirected)
        {
            return;
        }

        while (!quit.IsCancellationRequested)
        {
            if (Console.KeyAvailable)
            {
                var key = Console.ReadKey(intercept: true);
                if (key.KeyChar is 'q' or 'Q')
                {
                    await quit.CancelAsync();
                    return;
                }
            }

            try
            {
                await Task.Delay(50, quit.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
