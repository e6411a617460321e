using System.Globalization;
using System.Text.RegularExpressions;
using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// Handlers of one's own on the Generic Host (the README's sample and the scripted test worker), run as real
/// processes: results, failures and retries, cancel, cooperative preemption, timeouts, and busy handlers.
/// </summary>
[TestFixture]
[Category("integration")]
// Alone, not beside other fixtures: it measures a cancel within a second, and spins every slot on the CPU.
[NonParallelizable]
public partial class HandlerTests : SharedSystemTests
{
    private static string TestWorker => Repository.Program(Path.Combine("tests", "TaskScheduler.TestWorker"), "TaskScheduler.TestWorker.dll");

    private static string SampleWorker => Repository.Program(Path.Combine("Worker", "Samples", "UpperCase"), "UpperCase.dll");

    /// <summary>
    /// One scripted worker with quick retries for the tests of failures, retries, timeouts and cancel; the tests that
    /// preempt, need another program or count what the whole system did start their own.
    /// </summary>
    protected override async Task StartAsync(TestSystem system)
    {
        await system.StartSchedulerAsync(SchedulerArgs.QuickRetries);
        system.StartWorkerProgram("scripted", TestWorker);
        await system.WaitForWorkersAsync("scripted");
    }

    [Test]
    public async Task TheReadmeSampleWorker_ReturnsItsResult_ToSubmitWait_AndTheApi()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorkerProgram("sample", SampleWorker);
        await system.WaitForWorkersAsync("sample");

        var id = Guid.NewGuid();
        var cli = await CliRun.RunAsync(system, null, "submit", "hello\nwörld", "--id", id.ToString(), "--wait");
        var status = await system.GetTaskAsync(id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(cli.ExitCode, Is.Zero, cli.Error);
            Assert.That(cli.Out, Is.EqualTo("HELLO\nWÖRLD"), "submit --wait prints the result alone");
            Assert.That(status!.State, Is.EqualTo(TaskState.Completed));
            Assert.That(status.Result, Is.EqualTo("HELLO\nWÖRLD"));
        }
    }

    [Test]
    public async Task AThrownException_FailsTheAttempt_WithItsTypeAndMessage_AndIsRetried()
    {
        var system = SharedSystem;

        var task = Tasks.New(payload: "throw the disk is full") with { MaxRetries = 1 };
        await system.SubmitAsync(task);
        var finals = await system.WaitForFinalStatesAsync([task.Id], TimeSpan.FromSeconds(60));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(finals[task.Id].State, Is.EqualTo(TaskState.Failed));
            Assert.That(finals[task.Id].Error, Is.EqualTo("System.InvalidOperationException: the disk is full"));
            Assert.That(finals[task.Id].Attempts, Is.EqualTo(2), "the first run and one retry");
            Assert.That(await system.GetHistoryEventsAsync(task.Id), Has.Exactly(1).EqualTo(TaskHistoryEvents.RetryScheduled));
        }
    }

    [Test]
    public async Task ACancel_ReachesTheHandlersToken_WithinASecond_AndFreesTheSlot()
    {
        var system = SharedSystem;
        var worker = system.Worker("scripted");

        var task = Tasks.New(payload: "wait");
        await system.SubmitAsync(task);
        await system.WaitUntilStartedAsync(task.Id);
        var answer = await system.CancelOverHttpAsync(task.Id, "changed my mind");
        var answeredAt = DateTimeOffset.UtcNow;
        var fired = await worker.WaitForLogAsync(TokenFired(task.Id, "Cancelled"), TimeSpan.FromSeconds(30));
        var firedAt = DateTimeOffset.Parse(fired.Groups["at"].Value, CultureInfo.InvariantCulture);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer, Is.EqualTo(System.Net.HttpStatusCode.OK));
            Assert.That(firedAt - answeredAt, Is.LessThan(TimeSpan.FromSeconds(1)), "the token fired within a second of the cancel's answer");
            Assert.That((await system.GetTaskAsync(task.Id))!.State, Is.EqualTo(TaskState.Cancelled));
        }

        await system.WaitForNoneInFlightAsync();
    }

    [Test]
    public async Task ACooperativePreemption_CarriesTheHandlersCheckpoint_ToAnotherWorker_WhichResumesFromIt()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync(SchedulerArgs.QuickPreemption);
        var first = system.StartWorkerProgram("first", TestWorker, capacity: 1);
        await system.WaitForWorkersAsync("first");
        await using var events = await system.RecordEventsAsync();

        var low = Tasks.New(priority: 0, payload: "steps 40");
        await system.SubmitAsync(low);
        await system.WaitUntilStartedAsync(low.Id);
        // A step done, so that the handler has a step to pause at.
        await Eventually.That(async () => (await system.GetTaskAsync(low.Id))?.Progress is not null, TimeSpan.FromSeconds(30), "the handler to report a step");
        var urgent = Tasks.New(priority: 10, payload: "wait");
        await system.SubmitAsync(urgent);
        await events.WaitUntilAsync(e => e.Any(x => x.TaskId == low.Id && x.State == TaskState.Pending && x.Attempt == 1),
            TimeSpan.FromSeconds(30), "the running task to be preempted");
        var paused = await system.GetTaskAsync(low.Id);

        var second = system.StartWorkerProgram("second", TestWorker, capacity: 1);
        var finals = await system.WaitForFinalStatesAsync([low.Id], TimeSpan.FromSeconds(60));
        var checkpoint = paused!.Checkpoint;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(int.Parse(checkpoint ?? "0", CultureInfo.InvariantCulture), Is.InRange(1, 39), "the step the handler paused at");
            Assert.That(first.ReadLog(), Does.Contain($"Task {low.Id} attempt 1 pauses at step {checkpoint}"));
            Assert.That(second.ReadLog(), Does.Contain($"Task {low.Id} attempt 2 on second starts at step {checkpoint}"));
            Assert.That(finals[low.Id].State, Is.EqualTo(TaskState.Completed));
            Assert.That(finals[low.Id].WorkerId, Is.EqualTo("second"));
            Assert.That(finals[low.Id].Result, Is.EqualTo($"steps {checkpoint} to 40 on second"));
            Assert.That(await system.GetHistoryEventsAsync(low.Id), Does.Contain(TaskHistoryEvents.Preempted).And.Contain(TaskHistoryEvents.Resumed));
        }
    }

    [Test]
    public async Task AHandlerDeafToPreemption_IsGivenUpOnAfterTheGrace_ItsSlotFreed_AndItsTaskKeepsItsSavedCheckpoint()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync(SchedulerArgs.QuickPreemption);
        var worker = system.StartWorkerProgram("solo", TestWorker, capacity: 1, extraArgs: ["--Worker:PreemptGrace=00:00:01"]);
        await system.WaitForWorkersAsync("solo");
        await using var events = await system.RecordEventsAsync();

        var deaf = Tasks.New(priority: 0, payload: "deaf 600");
        await system.SubmitAsync(deaf);
        await system.WaitUntilStartedAsync(deaf.Id);
        await Eventually.That(
            async () => (await system.GetTaskAsync(deaf.Id))?.Checkpoint == "saved before going deaf", TimeSpan.FromSeconds(30), "the deaf handler's checkpoint");
        var urgent = Tasks.New(priority: 10, payload: "echo urgent");
        await system.SubmitAsync(urgent);
        var finals = await system.WaitForFinalStatesAsync([urgent.Id], TimeSpan.FromSeconds(60));
        var handedBack = events.Snapshot().FirstOrDefault(e => e.TaskId == deaf.Id && e.State == TaskState.Pending && e.Attempt == 1);
        var status = await system.GetTaskAsync(deaf.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(finals[urgent.Id].Result, Is.EqualTo("urgent"), "the urgent task ran in the freed slot");
            Assert.That(handedBack, Is.Not.Null, "the deaf attempt was handed back");
            Assert.That(status!.Checkpoint, Is.EqualTo("saved before going deaf"));
            Assert.That(status.Preemptions, Is.EqualTo(1));
            Assert.That(worker.ReadLog(), Does.Contain($"Task {deaf.Id} attempt 1: the handler ignored its token (Preempted)"));
        }
    }

    [Test]
    public async Task ATimeout_FailsTheAttempt_AndTheRetryRuns()
    {
        var system = SharedSystem;
        var worker = system.Worker("scripted");

        var task = Tasks.New(payload: "slow-first") with { MaxRetries = 1, Timeout = TimeSpan.FromSeconds(1) };
        await system.SubmitAsync(task);
        var finals = await system.WaitForFinalStatesAsync([task.Id], TimeSpan.FromSeconds(60));
        var history = await system.GetHistoryAsync(task.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(finals[task.Id].State, Is.EqualTo(TaskState.Completed));
            Assert.That(finals[task.Id].Result, Is.EqualTo("attempt 2"));
            Assert.That(history!.Single(h => h.Event == TaskHistoryEvents.RetryScheduled).Detail, Does.StartWith("attempt 1 failed: timed out after 1s"));
            Assert.That(worker.ReadLog(), Does.Match(TokenFired(task.Id, "TimedOut")));
        }
    }

    [Test]
    public async Task AWorkerWhoseEverySlotSpinsTheCpu_LongerThanTheLivenessWindow_IsNeverDeclaredDead()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorkerProgram("busy", TestWorker, capacity: 3);
        await system.WaitForWorkersAsync("busy");

        // The liveness window is HeartbeatInterval x MissedHeartbeats (2 s here); each task spins for three times that.
        var window = system.HeartbeatInterval * system.MissedHeartbeats;
        var seconds = (3 * window).TotalSeconds.ToString(CultureInfo.InvariantCulture);
        var tasks = Enumerable.Range(0, 3).Select(_ => Tasks.New(payload: $"spin {seconds}")).ToList();
        await system.SubmitAllAsync(tasks);
        var finals = await system.WaitForFinalStatesAsync(tasks.Select(t => t.Id), TimeSpan.FromSeconds(90));
        var counters = await system.GetCountersAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(finals.Values.Select(f => (f.State, f.Attempts, f.Result)), Is.All.EqualTo((TaskState.Completed, 1, "spun True")));
            Assert.That(counters.GetProperty("workersDeclaredDead").GetInt64(), Is.Zero);
            Assert.That(counters.GetProperty("requeued").GetInt64(), Is.Zero);
            Assert.That((await system.GetWorkersAsync()).Select(w => w.Id), Is.EqualTo(new[] { "busy" }));
        }
    }

    /// <summary>A line of the scripted handler's log: its token fired, why, and when by the worker's clock.</summary>
    internal static string TokenFired(Guid id, string reason) =>
        $@"Task {id} attempt \d+: token fired \({reason}\) at (?<at>\S+)";
}
