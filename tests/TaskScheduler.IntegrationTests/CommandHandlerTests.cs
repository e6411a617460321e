using System.Globalization;
using System.Text;
using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// The ready-made worker with <c>Worker:Handler=command</c> running a real Python script (Scripts/command_worker.py),
/// one process per attempt.
/// </summary>
[TestFixture]
[Category("integration")]
public class CommandHandlerTests : SharedSystemTests
{
    private static string Script => Path.Combine(TestContext.CurrentContext.TestDirectory, "Scripts", "command_worker.py");

    /// <summary>The command as an array (Worker:Command:0, :1), so a path with blanks needs no quoting.</summary>
    private static string[] CommandArgs => ["--Worker:Handler=command", "--Worker:Command:0=python3", $"--Worker:Command:1={Script}"];

    /// <summary>One worker running commands, for the tests that do not kill theirs.</summary>
    protected override async Task StartAsync(TestSystem system)
    {
        await system.StartSchedulerAsync();
        system.StartWorker("python", extraArgs: CommandArgs);
        await system.WaitForWorkersAsync("python");
    }

    [Test]
    public async Task ACommand_CompletesWithItsOutput_ByteForByte_AndSeesTheTaskInItsEnvironment()
    {
        var system = SharedSystem;

        const string text = "Grüße, 世界! 🌍 — naïve café\nzweite Zeile\ttab";
        var echo = Tasks.New(payload: text);
        var env = Tasks.New(priority: 7, payload: "env");
        await system.SubmitAllAsync([echo, env]);
        var finals = await system.WaitForFinalStatesAsync([echo.Id, env.Id], TimeSpan.FromSeconds(60));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(finals[echo.Id].State, Is.EqualTo(TaskState.Completed), finals[echo.Id].Error);
            Assert.That(Encoding.UTF8.GetBytes(finals[echo.Id].Result ?? ""), Is.EqualTo(Encoding.UTF8.GetBytes(text)));
            Assert.That(finals[env.Id].Result, Is.EqualTo($"{env.Id} 1 7 -"));
        }
    }

    [Test]
    public async Task ACommandThatExitsNonZero_FailsTheAttempt_WithTheTailOfItsErrors()
    {
        var system = SharedSystem;

        var task = Tasks.New(payload: "fail no such file");
        await system.SubmitAsync(task);
        var finals = await system.WaitForFinalStatesAsync([task.Id], TimeSpan.FromSeconds(60));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(finals[task.Id].State, Is.EqualTo(TaskState.Failed));
            Assert.That(finals[task.Id].Error, Is.EqualTo("exit code 3: it broke: no such file"), "progress lines are not errors");
        }
    }

    [Test]
    public async Task ACancelledCommand_IsStopped_AndItsProcessIsGone()
    {
        var system = SharedSystem;

        var task = Tasks.New(payload: $"sleep {system.Directory}");
        await system.SubmitAsync(task);
        var pid = int.Parse(await LinuxProcesses.WaitForFileAsync(Path.Combine(system.Directory, $"{task.Id}.pid"), TimeSpan.FromSeconds(60)), CultureInfo.InvariantCulture);
        var progress = await WaitForProgressAsync(system, task.Id);
        Assert.That(LinuxProcesses.IsRunning(pid), Is.True);

        await system.CancelOverHttpAsync(task.Id, "stop it");
        var survivors = await LinuxProcesses.WaitUntilGoneAsync([pid], TimeSpan.FromSeconds(15));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(progress, Is.EqualTo((0.1, "sleeping")), "a progress line on standard error shows in the task's status");
            Assert.That(survivors, Is.Empty, "the command's process is gone");
            Assert.That((await system.GetTaskAsync(task.Id))!.State, Is.EqualTo(TaskState.Cancelled));
        }

        await system.WaitForNoneInFlightAsync();
    }

    [Test]
    public async Task NoCommandOutlivesItsWorker_KilledWithKill9()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        var worker = system.StartWorker("doomed", capacity: 2, extraArgs: CommandArgs);
        await system.WaitForWorkersAsync("doomed");

        var tasks = new[] { Tasks.New(payload: $"sleep {system.Directory}"), Tasks.New(payload: $"sleep {system.Directory}") };
        await system.SubmitAllAsync(tasks);
        var pids = new List<int>();
        foreach (var task in tasks)
        {
            pids.Add(int.Parse(await LinuxProcesses.WaitForFileAsync(Path.Combine(system.Directory, $"{task.Id}.pid"), TimeSpan.FromSeconds(60)), CultureInfo.InvariantCulture));
        }

        Assert.That(pids.Where(LinuxProcesses.IsRunning), Is.EqualTo(pids), "both commands run");
        worker.Kill9();
        Assert.That(await LinuxProcesses.WaitUntilGoneAsync(pids, TimeSpan.FromSeconds(15)), Is.Empty, "no command survives its worker");
    }

    private static async Task<(double, string?)> WaitForProgressAsync(TestSystem system, Guid id)
    {
        var status = await Eventually.Returns(
            () => system.GetTaskAsync(id), status => status?.Progress is not null, TimeSpan.FromSeconds(30), $"task {id} to report progress");
        return (status!.Progress!.Fraction, status.Progress.Message);
    }
}
