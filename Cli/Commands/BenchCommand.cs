using System.CommandLine;
using Spectre.Console;
using TaskScheduler.Bench;
using TaskScheduler.Bench.Traffic;
using TaskScheduler.Cli.Api;
using TaskScheduler.Cli.Invocation;
using TaskScheduler.Contracts;

namespace TaskScheduler.Cli.Commands;

/// <summary>
/// <c>tasks bench</c>: drives a running system over the broker as a producer would and reports throughput,
/// latency percentiles, fairness and utilization, each throughput beside the broker's measured one-hop ceiling.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var tasks = new Option<int?>("--tasks", "-n") { Description = "Submit this many tasks (default 10000 unless --duration is given)" };
        var duration = Duration("--duration", "Submit for this long instead (60s, 2m)");
        var rate = new Option<double?>("--rate") { Description = "Open loop: submit at this many tasks per second (default: as fast as possible)" };
        var size = new Option<int>("--payload-bytes") { Description = "Payload size in bytes", DefaultValueFactory = _ => 100 };
        var priorities = new Option<string>("--priorities") { Description = "Priority mix, PRIORITY[:WEIGHT],... (0:90,5:9,9:1)", DefaultValueFactory = _ => "0" };
        var runTime = new Option<string?>("--run-time") { Description = "Simulated run time asked of the workers: 0ms, 250ms, or a range 1ms..5s (default: the workers' own)" };
        var window = new Option<int>("--window") { Description = "Submissions in flight awaiting the broker's confirm", DefaultValueFactory = _ => 256 };
        var maxOutstanding = new Option<int>("--max-outstanding") { Description = "Most tasks submitted and not yet finished", DefaultValueFactory = _ => 20_000 };
        var timeout = Duration("--timeout", "Give up waiting for tasks this long after the last submission (default 10m)");
        var ceiling = Duration("--ceiling", "How long to measure the broker's one-hop rate first; 0 skips it (default 3s)");
        var groups = new Option<int>("--groups") { Description = "Spread the tasks round-robin over this many tenant groups (g0, g1, ...; default none)" };
        var management = new Option<string?>("--management")
        {
            Description = "RabbitMQ management API to count the run's broker messages and bytes, http://user:pass@host:15672, or 'off' " +
                          "(env TASKS_MANAGEMENT_URL; default: the broker's host on port 15672 with the broker's credentials)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("TASKS_MANAGEMENT_URL"),
        };
        var batch = new Option<int>("--batch")
        {
            Description = $"Tasks to a message: 1 (the default) publishes each task alone; 2 to {Limits.DefaultMaxBatchTasks} sends batches (submit-batch) of N",
            DefaultValueFactory = _ => 1,
        };
        var acceptOnly = new Option<bool>("--accept-only") { Description = "Wait until the tasks are accepted, not until they have run (to build a backlog)" };

        var command = new Command("bench", "Measure a running system: throughput, latency, fairness and utilization, against the broker's own limit")
        {
            tasks, duration, rate, size, priorities, runTime, window, maxOutstanding, timeout, ceiling, acceptOnly, groups, management, batch,
        };
        command.SetAction((result, ct) => CliRunner.RunAsync(result, async output =>
        {
            var settings = Settings(result, tasks, duration, rate, size, priorities, runTime, window, maxOutstanding, timeout, ceiling)
                with { AcceptOnly = result.GetValue(acceptOnly), Groups = Math.Max(0, result.GetValue(groups)), Batch = result.GetValue(batch) };
            if (settings.Batch is < 1 or > Limits.DefaultMaxBatchTasks || settings.Batch > settings.MaxOutstanding)
            {
                throw Usage($"--batch must be from 1 to {Limits.DefaultMaxBatchTasks}, and no more than --max-outstanding");
            }

            settings = WithManagement(settings, result.GetValue(management));
            // Named so that the broker's counters can tell the bench's own traffic (the producer's) from others'.
            await using var client = ClientFactory.Create(result, TrafficRole.ProducerConnectionName(result.GetValue(GlobalOptions.Prefix)!));
            using var api = new SchedulerApi(result.GetValue(GlobalOptions.Scheduler)!);
            var progress = new BenchProgress { Target = settings.Tasks, Duration = settings.Duration };
            var run = BenchRunner.RunAsync(client, result.GetValue(GlobalOptions.Broker)!, api, settings, progress, ct);
            var report = await ShowProgressAsync(run, progress, output);

            if (output.Json)
            {
                output.Result("", report);
            }
            else
            {
                AnsiConsole.Write(BenchTable.Render(report));
            }

            var waitedFor = settings.AcceptOnly ? report.Tasks.Submitted - report.LatencyMs.SubmitToAccepted?.Count - report.Tasks.Rejected : report.Tasks.Unfinished;
            return waitedFor == 0 && report.Tasks.PublishErrors == 0 ? ExitCodes.Ok : ExitCodes.Timeout;
        }));
        return command;
    }

    private static Option<TimeSpan?> Duration(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (DurationText.TryParse(text, out var value))
            {
                return value;
            }

            r.AddError($"{name} takes a duration such as 500ms, 30s, 2m or 00:01:00, not '{text}'");
            return null;
        },
    };

    private static BenchSettings Settings(
        ParseResult result, Option<int?> tasks, Option<TimeSpan?> duration, Option<double?> rate, Option<int> size, Option<string> priorities,
        Option<string?> runTime, Option<int> window, Option<int> maxOutstanding, Option<TimeSpan?> timeout, Option<TimeSpan?> ceiling)
    {
        var count = result.GetValue(tasks);
        var time = result.GetValue(duration);
        if (count is not null && time is not null)
        {
            throw Usage("give --tasks or --duration, not both");
        }

        if (count is < 1 || time is { } t && t <= TimeSpan.Zero)
        {
            throw Usage("--tasks and --duration must be positive");
        }

        if (result.GetValue(rate) is <= 0 or double.NaN or double.PositiveInfinity)
        {
            throw Usage("--rate must be a positive number of tasks per second");
        }

        var bytes = result.GetValue(size);
        if (bytes is < 0 or > Limits.MaxPayloadBytes)
        {
            throw Usage($"--payload-bytes must be between 0 and {Limits.MaxPayloadBytes}");
        }

        if (!PriorityMix.TryParse(result.GetValue(priorities)!, out var mix, out var mixProblem))
        {
            throw Usage(mixProblem!);
        }

        RunTimeRange? range = null;
        if (result.GetValue(runTime) is { } text && !RunTimeRange.TryParse(text, out range, out var rangeProblem))
        {
            throw Usage(rangeProblem!);
        }

        if (result.GetValue(window) is < 1 or > 65_535 || result.GetValue(maxOutstanding) < 1)
        {
            throw Usage("--window must be between 1 and 65535 and --max-outstanding at least 1");
        }

        return new BenchSettings
        {
            Tasks = count ?? (time is null ? 10_000 : null),
            Duration = time,
            Rate = result.GetValue(rate),
            PayloadBytes = bytes,
            Priorities = mix!,
            RunTime = range,
            Window = result.GetValue(window),
            MaxOutstanding = result.GetValue(maxOutstanding),
            Timeout = result.GetValue(timeout) ?? TimeSpan.FromMinutes(10),
            CeilingDuration = result.GetValue(ceiling) ?? TimeSpan.FromSeconds(3),
        };
    }

    private static BenchSettings WithManagement(BenchSettings settings, string? url)
    {
        if (url is null or "")
        {
            return settings;
        }

        if (url.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            return settings with { CountBrokerTraffic = false };
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw Usage($"--management takes the management API's http:// URL or 'off', not '{url}'");
        }

        return settings with { ManagementUrl = url };
    }

    /// <summary>A live progress bar on standard error while people watch; nothing for machines or redirected output.</summary>
    private static async Task<BenchReport> ShowProgressAsync(Task<BenchReport> run, BenchProgress progress, Output output)
    {
        if (output.Json || Console.IsErrorRedirected)
        {
            return await run;
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var submitted = context.AddTask("submitted", maxValue: progress.Target ?? progress.Duration?.TotalSeconds ?? 1);
                var finished = context.AddTask("finished", maxValue: progress.Target ?? 1);
                while (!run.IsCompleted)
                {
                    var duration = progress.Duration;
                    submitted.Value = duration is { } d ? Math.Min(progress.Elapsed().TotalSeconds, d.TotalSeconds) : progress.Submitted;
                    submitted.Description = $"{progress.Phase}: {progress.Submitted:N0} submitted, {progress.Accepted:N0} accepted";
                    finished.MaxValue = Math.Max(1, progress.Target ?? progress.Submitted);
                    finished.Value = progress.Finished;
                    finished.Description = $"{progress.Finished:N0} finished";
                    await Task.WhenAny(run, Task.Delay(200));
                }

                submitted.Value = submitted.MaxValue;
                finished.Value = progress.Finished;
            });
        return await run;
    }

    private static CliException Usage(string message) => new(ExitCodes.Usage, message);
}
