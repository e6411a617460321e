using System.Diagnostics;
using System.Globalization;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;
using TaskScheduler.Worker.Hosting;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// Jepsen-style: a steady stream of submissions while workers are killed, the scheduler is killed, a worker is
/// frozen until it is declared dead and then thawed, the scheduler itself is frozen for longer than the liveness
/// window, the broker raises a disk alarm (blocking every publisher), and the broker itself crashes; then every
/// accepted task is checked against the journal, the task events and the workers' own record of what they ran.
/// The scheduler freeze and the alarm must declare no worker dead: the silence is the scheduler's or the broker's.
/// It runs once with the simulated handler and once with the command handler running Scripts/chaos_task.py, one
/// Python process per attempt; there, no process may outlive the worker killed under it.
/// </summary>
[TestFixture]
[Category("integration")]
[Category("chaos")]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
// Alone, not beside other fixtures: it starts its own RabbitMQ node and kills it, and freezes processes against the liveness window.
[NonParallelizable]
public class ChaosTests
{
    private static readonly TimeSpan FaultPhase = TimeSpan.FromSeconds(80);
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// A Python process per attempt costs tens of milliseconds of CPU: at <see cref="Pace"/> that alone would take
    /// most of a 2-core CI machine, so the command handler's tasks come half as often; they run a little longer
    /// (50 to 500 ms), so about as many are in flight when a fault strikes.
    /// </summary>
    private static readonly TimeSpan CommandPace = TimeSpan.FromMilliseconds(50);

    /// <summary>Three liveness windows of the test system (8 heartbeats of 250 ms).</summary>
    private static readonly TimeSpan SchedulerFreeze = TimeSpan.FromSeconds(6);

    private static readonly TimeSpan DiskAlarm = TimeSpan.FromSeconds(5);

    private readonly List<(string Id, ChildProcess Process)> _workers = [];
    private string[] _handlerArgs = [];
    private int _nextWorker;

    private static string Script => Path.Combine(TestContext.CurrentContext.TestDirectory, "Scripts", "chaos_task.py");

    [TestCase(HandlerOptions.Simulated)]
    [TestCase(HandlerOptions.Command)]
    public async Task SteadyLoadThroughRepeatedFaults_LosesNoTask_CompletesNoneTwice_AndRunsNoAttemptTwice(string handler)
    {
        var seed = Environment.GetEnvironmentVariable("CHAOS_SEED") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : Random.Shared.Next();
        var random = new Random(seed);
        await TestContext.Out.WriteLineAsync($"chaos seed {seed} (set CHAOS_SEED to replay the same fault order)");

        await using var broker = await RabbitNode.StartNewAsync(TestContext.CurrentContext.WorkDirectory);
        await using var system = await TestSystem.CreateAsync(broker.Url);
        await system.StartSchedulerAsync();
        var command = handler == HandlerOptions.Command;
        // The test's directory, passed to every command it runs: where a command that finds itself orphaned says so,
        // and a mark on the test's own processes among those of tests running beside it.
        var marker = system.Directory;
        if (command)
        {
            // -S skips site-packages: the script needs only the standard library, and starts in half the time.
            _handlerArgs =
            [
                "--Worker:Handler=command", $"--Worker:Command:0={await PythonAsync()}", "--Worker:Command:1=-S",
                $"--Worker:Command:2={Script}", $"--Worker:Command:3={marker}",
            ];
        }

        for (var i = 0; i < 4; i++)
        {
            StartWorker(system);
        }

        await system.WaitForWorkersAsync([.. _workers.Select(w => w.Id)]);
        await using var events = await system.RecordEventsDurablyAsync();
        await using var producer = await SteadyProducer.StartAsync(system);
        using var stopProducing = new CancellationTokenSource();
        var producing = producer.RunAsync(command ? CommandPace : Pace, i => Tasks.New(i % 5, $"chaos {i} {Guid.NewGuid():N}"), stopProducing.Token);

        var faults = new Dictionary<string, int>
        {
            ["worker kill -9"] = 0, ["scheduler kill -9"] = 0, ["worker frozen"] = 0, ["broker kill -9"] = 0, ["scheduler frozen"] = 0,
            ["broker disk alarm"] = 0,
        };
        // Workers declared dead, or a scheduler that exited by itself, during a fault that harms no worker.
        var falseDeaths = new List<string>();
        var requeued = 0L;
        var fenced = 0L;
        var kinds = faults.Keys.ToArray();
        // Each kind once in the first pass (the fault phase runs at least that long), then again in another order.
        var order = kinds.OrderBy(_ => random.Next()).Concat(kinds.OrderBy(_ => random.Next())).ToList();
        var deadline = DateTime.UtcNow + FaultPhase;
        var acceptedBeforeEachFault = new List<int>();
        // Commands running under a worker when it was killed with kill -9.
        var underKilledWorkers = new List<int>();
        for (var round = 0; DateTime.UtcNow < deadline || round < kinds.Length; round++)
        {
            // Two seconds of steady load between faults: a pace, not a wait for something.
            await Task.Delay(TimeSpan.FromSeconds(2));
            acceptedBeforeEachFault.Add(producer.Accepted().Count);
            var fault = order[round % order.Count];
            faults[fault]++;
            await TestContext.Out.WriteLineAsync($"{DateTime.UtcNow:HH:mm:ss.fff} fault {round + 1}: {fault}");
            switch (fault)
            {
                case "worker kill -9":
                    var victim = _workers[random.Next(_workers.Count)];
                    if (command)
                    {
                        underKilledWorkers.AddRange(await CommandsOfAsync(victim.Process, marker));
                    }

                    victim.Process.Kill9();
                    _workers.Remove(victim);
                    StartWorker(system);
                    break;

                case "scheduler kill -9":
                    (requeued, fenced) = Add((requeued, fenced), await system.GetCountersAsync());
                    system.Scheduler!.Kill9();
                    await system.StartSchedulerAsync();
                    break;

                case "worker frozen":
                    var zombie = _workers[random.Next(_workers.Count)];
                    zombie.Process.Pause();
                    await Eventually.That(
                        async () => (await system.GetWorkersAsync()).All(w => w.Id != zombie.Id), TimeSpan.FromSeconds(60), $"{zombie.Id} to be declared dead");
                    zombie.Process.Resume();
                    break;

                case "scheduler frozen":
                    await WithoutHarmToWorkersAsync(system, fault, falseDeaths, async () =>
                    {
                        system.Scheduler!.Pause();
                        await Task.Delay(SchedulerFreeze);
                        system.Scheduler.Resume();
                    });
                    break;

                case "broker disk alarm":
                    await WithoutHarmToWorkersAsync(system, fault, falseDeaths, async () =>
                    {
                        try
                        {
                            // Far more than any disk holds: the node raises its disk alarm and blocks every publisher.
                            await broker.CtlOrFailAsync("set_disk_free_limit", "1000000GB");
                            await Task.Delay(DiskAlarm);
                        }
                        finally
                        {
                            // As RabbitNode configures it; always restored, or the node stays blocked.
                            await broker.CtlAsync("set_disk_free_limit", "50MB");
                        }
                    });
                    break;

                case "broker kill -9":
                    await broker.Kill9Async();
                    // The broker stays down a second: the outage is the fault.
                    await Task.Delay(TimeSpan.FromSeconds(1));
                    await broker.StartAsync();
                    await system.WaitForBrokerConnectionAsync();
                    break;
            }

            // Before the next fault, the system has healed: every live worker (a thawed zombie included, which must
            // have noticed it was declared dead and rejoined) is registered again.
            await system.WaitForWorkersAsync([.. _workers.Select(w => w.Id)]);
        }

        // The producer must get through after the last fault too before it stops.
        var beforeStop = acceptedBeforeEachFault[^1];
        await Eventually.That(() => producer.Accepted().Count > beforeStop, TimeSpan.FromSeconds(60), "submissions to be accepted after the last fault");
        await stopProducing.CancelAsync();
        await producing;
        var accepted = producer.Accepted();
        var finals = await system.WaitForFinalStatesAsync(accepted.Select(t => t.Id), TimeSpan.FromMinutes(4));
        (requeued, fenced) = Add((requeued, fenced), await system.GetCountersAsync());

        var lost = accepted.Where(t => !finals.ContainsKey(t.Id)).Select(t => t.Id).ToList();
        var completedAttempts = events.Snapshot()
            .Where(e => e.State == TaskState.Completed)
            .GroupBy(e => e.TaskId)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Attempt).Distinct().Count());
        var duplicateCompletions = completedAttempts.Where(c => c.Value > 1).Select(c => c.Key).ToList();
        var executions = Executions.Read(system.WorkerLogs());
        var attemptsRunTwice = executions.Where(e => e.Value > 1).Select(e => e.Key).ToList();
        var overRun = finals.Values
            .Where(f => executions.Keys.Count(k => k.TaskId == f.Id) > f.Attempts)
            .Select(f => f.Id)
            .ToList();
        // Every task is over, so no command of this test should run any more (a thawed zombie's last one ends soon).
        var leftRunning = command ? await LinuxProcesses.WaitUntilGoneAsync(LinuxProcesses.WithArgument(marker), TimeSpan.FromSeconds(10)) : [];
        // Written by a command that woke up to find its worker gone: it outlived a kill -9.
        var orphans = Directory.GetFiles(marker, "orphan-*").Select(Path.GetFileName).ToList();

        await TestContext.Out.WriteLineAsync(
            $"chaos summary ({handler} handler): faults {faults.Values.Sum()} ({string.Join(", ", faults.Select(f => $"{f.Value} {f.Key}"))}); " +
            $"tasks {accepted.Count} accepted, {finals.Count} final, lost {lost.Count}, duplicate completions {duplicateCompletions.Count}, " +
            $"attempts run twice {attemptsRunTwice.Count}, executions {executions.Values.Sum()}, requeues {requeued}, fenced results {fenced}, " +
            $"workers declared dead by a scheduler freeze or a broker alarm {falseDeaths.Count}, " +
            (command ? $"commands running when their worker was killed {underKilledWorkers.Count}, orphaned {orphans.Count}, left running {leftRunning.Count}, " : "") +
            $"producer retries {producer.Retries}, seed {seed}");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(acceptedBeforeEachFault.Append(accepted.Count), Is.Ordered.Ascending.And.Unique,
                "submissions kept being accepted between every two faults");
            Assert.That(lost, Is.Empty, "every accepted task reaches a final state");
            Assert.That(finals.Values.Where(f => f.State != TaskState.Completed).Select(f => $"{f.Id} {f.State} {f.Error}"), Is.Empty,
                "with no failures simulated or scripted every task completes");
            Assert.That(executions, Is.Not.Empty, "the workers log what they execute, whatever the handler");
            Assert.That(duplicateCompletions, Is.Empty, "no task is completed by two attempts");
            Assert.That(attemptsRunTwice, Is.Empty, "no attempt is executed twice");
            Assert.That(overRun, Is.Empty, "no task is executed more times than it has attempts");
            Assert.That(falseDeaths, Is.Empty, "a frozen scheduler or a broker alarm declares no worker dead and stops no scheduler");
            Assert.That(system.Scheduler!.HasExited, Is.False);
            Assert.That(orphans, Is.Empty, "no command outlives its worker killed with kill -9");
            Assert.That(leftRunning, Is.Empty, "no command of this test is still running once every task is over");
        }
    }

    private void StartWorker(TestSystem system)
    {
        var id = $"w{++_nextWorker}";
        var process = system.StartWorker(id, capacity: 4, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(300), extraArgs: [.. Executions.LogArgs, .. _handlerArgs]);
        _workers.Add((id, process));
    }

    /// <summary>
    /// Runs a fault that harms no worker and no scheduler (the scheduler frozen, a broker alarm) and notes any worker
    /// declared dead by the time a liveness window has passed after it, and a scheduler that exited meanwhile.
    /// </summary>
    private async Task WithoutHarmToWorkersAsync(TestSystem system, string fault, List<string> falseDeaths, Func<Task> act)
    {
        var scheduler = system.Scheduler!;
        var deadBefore = (await system.GetCountersAsync()).GetProperty("workersDeclaredDead").GetInt64();
        await act();
        await system.WaitForBrokerConnectionAsync();
        // A false death would come before the scheduler hears each worker again: once it has heard every one since the
        // fault's end, their liveness is fresh and whatever the fault did to it shows in the counter.
        var over = DateTimeOffset.UtcNow;
        var ids = _workers.Select(w => w.Id).ToList();
        await Eventually.That(
            async () =>
            {
                var heard = (await system.GetWorkersAsync()).Where(w => w.LastHeartbeatAt > over).Select(w => w.Id).ToHashSet();
                return ids.All(heard.Contains);
            },
            TimeSpan.FromSeconds(60),
            $"the scheduler to hear every worker after the {fault}");
        var deadAfter = (await system.GetCountersAsync()).GetProperty("workersDeclaredDead").GetInt64();
        if (deadAfter != deadBefore)
        {
            falseDeaths.Add($"{fault}: {deadAfter - deadBefore} workers declared dead");
        }

        if (scheduler.HasExited || system.Scheduler != scheduler)
        {
            falseDeaths.Add($"{fault}: the scheduler exited");
        }

        await TestContext.Out.WriteLineAsync($"{DateTime.UtcNow:HH:mm:ss.fff} {fault} over: workers declared dead {deadAfter - deadBefore}");
    }

    /// <summary>
    /// The commands <paramref name="worker"/> runs, waiting a little for it to run one: a worker killed between two
    /// tasks leaves no child that could outlive it.
    /// </summary>
    private static async Task<List<int>> CommandsOfAsync(ChildProcess worker, string marker)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        var running = LinuxProcesses.WithArgument(marker, parent: worker.Id);
        while (running.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            running = LinuxProcesses.WithArgument(marker, parent: worker.Id);
        }

        return running;
    }

    /// <summary>
    /// The interpreter <c>python3</c> names, to be started directly: a version manager's shim (pyenv's is a shell
    /// script) would cost more CPU per attempt than the task itself.
    /// </summary>
    private static async Task<string> PythonAsync()
    {
        using var python = Process.Start(new ProcessStartInfo("python3", ["-c", "import sys; print(sys.executable)"]) { RedirectStandardOutput = true })!;
        var path = (await python.StandardOutput.ReadToEndAsync()).Trim();
        await python.WaitForExitAsync();
        return path;
    }

    private static (long Requeued, long Fenced) Add((long Requeued, long Fenced) sum, System.Text.Json.JsonElement counters) =>
        (sum.Requeued + counters.GetProperty("requeued").GetInt64(), sum.Fenced + counters.GetProperty("fencedResults").GetInt64());
}
