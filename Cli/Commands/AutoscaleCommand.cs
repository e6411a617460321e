using System.CommandLine;
using System.Globalization;
using TaskScheduler.Cli.Api;
using TaskScheduler.Cli.Autoscale;
using TaskScheduler.Cli.Invocation;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Dashboard;

namespace TaskScheduler.Cli.Commands;

/// <summary>
/// <c>tasks autoscale --worker PATH [-- WORKER ARGS]</c>: runs worker processes on this machine and follows the
/// scheduler's desired-worker figure, starting workers when it rises and draining them when it falls. Runs until
/// Ctrl+C or SIGTERM, then drains every worker it started.
/// </summary>
public static class AutoscaleCommand
{
    /// <summary>How long Ctrl+C may take: the workers' drain (30 s by default) and their goodbye.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(75);

    public static Command Create()
    {
        var worker = new Option<string>("--worker")
        {
            Description = "The worker program: TaskScheduler.Worker.dll (run with dotnet) or an executable",
            Required = true,
        };
        var interval = new Option<double>("--interval")
        {
            Description = "Seconds between two looks at the scheduler's figure",
            DefaultValueFactory = _ => 2,
        };
        var idPrefix = new Option<string>("--id-prefix")
        {
            Description = "Start of the ids of the workers started here (then -1, -2, ...)",
            DefaultValueFactory = _ => $"auto-{Guid.NewGuid().ToString("N")[..6]}",
        };
        var logs = new Option<string>("--logs")
        {
            Description = "Directory for the workers' logs, one file per worker",
            DefaultValueFactory = _ => "autoscale-logs",
        };
        var poolName = new Option<string?>("--pool")
        {
            Description = "Follow one pool's figure (GET /api/autoscale, pools), such as gpu, and start its workers with --Worker:Tags set to its tags",
        };
        var workerArgs = new Argument<string[]>("worker-args")
        {
            Description = "Arguments for every worker, after --, e.g. -- --Worker:Capacity=8",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("autoscale", "Run workers on this machine, as many as the scheduler asks for; shrinking drains them")
        {
            worker, interval, idPrefix, logs, poolName, workerArgs,
        };
        command.SetAction((result, ct) => CliRunner.RunAsync(result, async output =>
        {
            var program = result.GetValue(worker)!;
            // A bare name is looked up on PATH when started; a path must exist.
            var isPath = program.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || program.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal);
            if (isPath && !File.Exists(program))
            {
                throw new CliException(ExitCodes.Usage, $"--worker: no such file '{program}'");
            }

            var every = result.GetValue(interval);
            if (every is <= 0 or > 3600 || double.IsNaN(every))
            {
                throw new CliException(ExitCodes.Usage, $"--interval must be between 0 and 3600 seconds, not {every}");
            }

            var prefix = result.GetValue(idPrefix)!;
            if (!Limits.IsValidWorkerId($"{prefix}-999"))
            {
                throw new CliException(ExitCodes.Usage, $"--id-prefix must be letters, digits, '-' or '_', short enough for a worker id, not '{prefix}'");
            }

            var followed = result.GetValue(poolName);
            var tags = followed is null or TagNames.DefaultPool ? [] : followed.Split('+');
            if (TagNames.Normalize(tags) is null)
            {
                throw new CliException(ExitCodes.Usage, $"--pool names a pool: its tags joined by +, such as gpu or eu-west+gpu, not '{followed}'");
            }

            var launch = new WorkerLaunch(isPath ? Path.GetFullPath(program) : program, result.GetValue(GlobalOptions.Broker)!, result.GetValue(GlobalOptions.Prefix)!,
                [.. result.GetValue(workerArgs) ?? [], .. tags.Length > 0 ? [$"--Worker:Tags={string.Join(',', tags)}"] : Array.Empty<string>()]);
            using var api = new SchedulerApi(result.GetValue(GlobalOptions.Scheduler)!);
            using var pool = new WorkerPool(launch, prefix, Path.GetFullPath(result.GetValue(logs)!), TimeProvider.System);
            var log = new AutoscaleLog(output);
            log.Say($"following the scheduler at {result.GetValue(GlobalOptions.Scheduler)}; worker logs in {Path.GetFullPath(result.GetValue(logs)!)}");
            try
            {
                await FollowAsync(api, pool, followed, TimeSpan.FromSeconds(every), log, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl+C or SIGTERM: the normal way to stop.
            }
            finally
            {
                foreach (var (id, code, _) in pool.Reap())
                {
                    log.Say($"worker {id} exited ({code})");
                }

                log.Say($"stopping: {pool.Members.Count} workers drain and leave");
                await pool.StopAllAsync(StopTimeout - TimeSpan.FromSeconds(5));
                foreach (var (id, code, _) in pool.Reap())
                {
                    log.Say($"worker {id} exited ({code})");
                }
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static async Task FollowAsync(SchedulerApi api, WorkerPool pool, string? followed, TimeSpan every, AutoscaleLog log, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(every);
        int? lastDesired = null;
        do
        {
            foreach (var (id, code, stopped) in pool.Reap())
            {
                log.Say(stopped ? $"worker {id} drained and left ({code})" : $"worker {id} exited on its own ({code}); it will be replaced if still wanted");
            }

            AutoscaleView figure;
            WorkerView[] workers;
            try
            {
                figure = await api.GetAutoscaleAsync(ct);
                workers = await api.GetWorkersAsync(ct);
            }
            catch (CliException e)
            {
                // Blind, change nothing: shrinking now could drain workers that are busy.
                log.Say($"cannot read the scheduler's figure ({e.Message}); keeping {pool.Members.Count} workers");
                continue;
            }

            if (followed is not null)
            {
                // One pool's own figure; a pool with nothing queued or running is not listed, and wants none.
                var demand = figure.Pools.FirstOrDefault(p => p.Pool == followed);
                figure = figure with { DesiredWorkers = demand?.DesiredWorkers ?? 0, Pending = demand?.Pending ?? 0, Running = demand?.Running ?? 0 };
            }

            var plan = ScalePlanner.Plan(figure.DesiredWorkers, pool.Members, workers);
            if (plan.IsEmpty && figure.DesiredWorkers == lastDesired)
            {
                continue;
            }

            lastDesired = figure.DesiredWorkers;
            var started = Enumerable.Range(0, plan.Start).Select(_ => pool.Start()).ToList();
            foreach (var id in plan.Stop)
            {
                pool.Stop(id);
            }

            log.Report(figure, plan, started, pool.Members.Count(m => !m.Stopping));
        }
        while (await timer.WaitForNextTickAsync(ct));
    }

    /// <summary>One line per change, for people; one JSON object per line with --json.</summary>
    private sealed class AutoscaleLog(Output output)
    {
        public void Say(string text)
        {
            if (!output.Json)
            {
                Console.Out.WriteLine($"{DateTimeOffset.Now:HH:mm:ss} {text}");
            }
        }

        public void Report(AutoscaleView figure, ScalePlan plan, List<string> started, int pool)
        {
            if (output.Json)
            {
                Console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
                {
                    at = DateTimeOffset.Now,
                    desired = figure.DesiredWorkers,
                    target = plan.Target,
                    pool,
                    started,
                    stopping = plan.Stop,
                }));
                return;
            }

            var text = string.Create(CultureInfo.InvariantCulture,
                $"desired {figure.DesiredWorkers} (pending {figure.Pending}, running {figure.Running}, {figure.ArrivalRate:0.#}/s, " +
                $"{figure.MeanRunSeconds:0.###} s a task), here {plan.Target}");
            if (started.Count > 0)
            {
                text += $"; starting {string.Join(", ", started)}";
            }

            if (plan.Stop.Count > 0)
            {
                text += $"; draining {string.Join(", ", plan.Stop)}";
            }

            Say($"{text}; pool {pool}");
        }
    }
}
