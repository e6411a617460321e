using System.Text.Json;
using RabbitMQ.Client;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests.Conformance;

/// <summary>
/// The same scenarios against the .NET worker and the Python worker module, on the real broker and scheduler: what
/// docs/workers.md promises, kept by both languages. One scheduler per fixture; each test has workers of its own, and
/// its tasks require a tag only those workers advertise, so tests do not take each other's tasks. The handlers do
/// what the payload says (tests/TaskScheduler.TestWorker's ScriptedHandler, Scripts/conformance_worker.py):
/// <c>echo</c>, <c>throw</c>, <c>wait</c> for the stop, <c>steps N</c> of 200 ms with a checkpoint every 5.
/// </summary>
[TestFixture(ConformanceWorkers.Dotnet)]
[TestFixture(ConformanceWorkers.Python)]
[Category("integration")]
public class WorkerConformanceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _language;
    private TestSystem _system = null!;
    private ConformanceWorkers _workers = null!;
    private readonly List<ChildProcess> _started = [];

    public WorkerConformanceTests(string language) => _language = language;

    [OneTimeSetUp]
    public async Task StartSchedulerAsync()
    {
        _system = await TestSystem.CreateAsync();
        _workers = new ConformanceWorkers(_system);
        await _system.StartSchedulerAsync(SchedulerArgs.QuickPreemption);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _workers.DisposeAsync();
        await _system.DisposeAsync();
    }

    [TearDown]
    public async Task StopWorkersAsync()
    {
        var failed = TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed;
        foreach (var worker in _started)
        {
            worker.Kill9();
            if (failed)
            {
                await TestContext.Out.WriteLineAsync($"--- last lines of {worker.Name} ---\n{string.Join('\n', worker.ReadLog().Split('\n').TakeLast(40))}");
            }
        }

        if (failed && _system.Scheduler is { } scheduler)
        {
            await TestContext.Out.WriteLineAsync($"--- last lines of the scheduler ---\n{string.Join('\n', scheduler.ReadLog().Split('\n').TakeLast(40))}");
        }

        _started.Clear();
    }

    [Test]
    public async Task ACompletedTask_ReportsItsResult()
    {
        var tag = await StartWorkerAsync("result");
        var task = NewTask(tag, "echo forty-two");

        var final = await RunAsync(task);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(final.State, Is.EqualTo(TaskState.Completed));
            Assert.That(final.Result, Is.EqualTo("forty-two"));
            Assert.That(final.Attempts, Is.EqualTo(1));
            Assert.That(final.StartedAt, Is.Not.Null.And.LessThanOrEqualTo(final.FinishedAt!.Value));
            Assert.That(await _system.GetHistoryEventsAsync(task.Id), Is.EqualTo(new[]
            {
                TaskHistoryEvents.Accepted, TaskHistoryEvents.Assigned, TaskHistoryEvents.Started, TaskHistoryEvents.Completed,
            }));
        }
    }

    [Test]
    public async Task AHandlerThatThrows_FailsTheTask_WithTheExceptionsTypeAndMessage()
    {
        var tag = await StartWorkerAsync("failure");
        var final = await RunAsync(NewTask(tag, "throw boom"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(final.State, Is.EqualTo(TaskState.Failed));
            // "System.InvalidOperationException: boom" from .NET, "RuntimeError: boom" from Python.
            Assert.That(final.Error, Does.Match("^[A-Za-z.]+: boom$"));
            Assert.That(final.Attempts, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task ACancelledTask_StopsOnItsWorker_WhichFreesTheSlot()
    {
        var tag = await StartWorkerAsync("cancel");
        var waiting = NewTask(tag, "wait");
        await _system.SubmitAsync(waiting);
        await _system.WaitUntilStartedAsync(waiting.Id);

        await _system.CancelOverHttpAsync(waiting.Id, "no longer needed");
        // Capacity 1: the next task runs only once the worker has stopped the cancelled attempt and said so.
        var next = await RunAsync(NewTask(tag, "echo after"));
        var cancelled = await _system.GetTaskAsync(waiting.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(cancelled!.State, Is.EqualTo(TaskState.Cancelled));
            Assert.That(next.State, Is.EqualTo(TaskState.Completed));
            Assert.That(_started[0].ReadLog(), Does.Contain("cancelled on request: no longer needed"), "the worker logs the order's reason");
        }
    }

    [Test]
    public async Task ATaskPastItsTimeout_IsStoppedByTheWorker_AndFailsSayingSo()
    {
        var tag = await StartWorkerAsync("timeout");
        var final = await RunAsync(NewTask(tag, "wait") with { Timeout = TimeSpan.FromSeconds(1) });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(final.State, Is.EqualTo(TaskState.Failed));
            Assert.That(final.Error, Is.EqualTo("timed out after 1s"));
            Assert.That(final.FinishedAt - final.StartedAt, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(0.9)));
        }
    }

    [Test]
    public async Task APreemptedTask_PausesWithItsCheckpoint_AndResumesFromIt_OnAWorkerOfTheOtherLanguage()
    {
        var tag = await StartWorkerAsync("preempt");
        var low = NewTask(tag, "steps 30");
        await _system.SubmitAsync(low);
        await WaitForCheckpointAsync(low.Id);
        var urgent = NewTask(tag, "wait") with { Priority = 10 };
        await _system.SubmitAsync(urgent);

        await _system.WaitForStateAsync(low.Id, TaskState.Pending);
        var paused = await _system.GetTaskAsync(low.Id);
        var other = $"{ConformanceWorkers.Other(_language)}-{tag}";
        _started.Add(_workers.Start(ConformanceWorkers.Other(_language), other, tag));
        var final = await WaitForFinalAsync(low.Id);
        await _system.CancelOverHttpAsync(urgent.Id, "the test is over");

        var pausedAt = int.Parse(paused!.Checkpoint!, System.Globalization.CultureInfo.InvariantCulture);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(paused.PendingReason, Does.Contain($"preempted on worker {_language}-{tag} for task {urgent.Id} of priority 10"));
            Assert.That(pausedAt, Is.InRange(5, 29), "paused mid-way, with the step it reached");
            Assert.That(final.State, Is.EqualTo(TaskState.Completed));
            Assert.That(final.Result, Is.EqualTo($"steps {pausedAt} to 30 on {other}"), "resumed from the pause's checkpoint on the other language's worker");
            Assert.That(final.Attempts, Is.EqualTo(2));
            Assert.That(final.Preemptions, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task AWorkerFrozenForLessThanTheLivenessWindow_IsNotDeclaredDead_AndItsTaskRunsOnce()
    {
        var tag = await StartWorkerAsync("freeze");
        var task = NewTask(tag, "steps 15");
        await _system.SubmitAsync(task);
        await _system.WaitUntilStartedAsync(task.Id);

        // Half the window of 8 heartbeats of 250 ms: four heartbeats missed, none late enough to be a death.
        _started[0].Pause();
        await Task.Delay(TimeSpan.FromSeconds(1));
        _started[0].Resume();
        var final = await WaitForFinalAsync(task.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(final.State, Is.EqualTo(TaskState.Completed));
            Assert.That(final.Attempts, Is.EqualTo(1), "not requeued: the worker was never declared dead");
            Assert.That(await _system.GetHistoryEventsAsync(task.Id), Does.Not.Contain(TaskHistoryEvents.Requeued));
            Assert.That(_started[0].ReadLog(), Does.Not.Contain("lost its queue consumer"), "its queues were never deleted");
        }
    }

    [Test]
    public async Task AWorkerFrozenPastTheLivenessWindow_IsDeclaredDead_ThenComesBackOnItsOwn_AndTheTaskCompletes()
    {
        var tag = await StartWorkerAsync("thaw");
        var id = $"{_language}-{tag}";
        var task = NewTask(tag, "steps 20");
        await _system.SubmitAsync(task);
        await WaitForCheckpointAsync(task.Id);

        _started[0].Pause();
        await Eventually.That(async () => (await _system.GetWorkersAsync()).All(w => w.Id != id), Patience, $"worker {id} to be declared dead");
        _started[0].Resume();
        // Its queues were deleted: it declares them again, consumes, and its heartbeat registers it again (no joined).
        await Eventually.That(async () => (await _system.GetWorkersAsync()).Any(w => w.Id == id && w.Confirmed), Patience, $"worker {id} to come back");
        var final = await WaitForFinalAsync(task.Id);
        var history = await _system.GetHistoryAsync(task.Id);
        // A third attempt would mean an assignment was sent before its queues existed again, came back and spent an
        // attempt number: the scheduler gives a worker registered by a heartbeat nothing until a later one.
        await TestContext.Out.WriteLineAsync($"{_language}: {final.Attempts} attempts; history: {string.Join(", ", history!.Select(h => $"{h.Event} {h.Attempt} {h.Detail}"))}");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(final.State, Is.EqualTo(TaskState.Completed));
            Assert.That(final.Attempts, Is.EqualTo(2), "the attempt it ran when declared dead was requeued, and no other attempt number was spent");
            Assert.That(history!.Where(h => h.Detail?.Contains("could not be delivered", StringComparison.Ordinal) == true), Is.Empty);
            Assert.That(final.Result, Does.Match($"^steps ([5-9]|1[0-9]) to 20 on {id}$"), "the next attempt resumed from a checkpoint, on the worker that came back");
            Assert.That(history!.Count(h => h.Event == TaskHistoryEvents.Completed), Is.EqualTo(1));
            Assert.That(_started[0].ReadLog(), Does.Contain("lost its queue consumer"));
        }
    }

    [Test]
    public async Task AWorkerKilledWithSigkill_IsDeclaredDead_AndItsTaskResumesFromItsCheckpointElsewhere()
    {
        var tag = await StartWorkerAsync("kill");
        var task = NewTask(tag, "steps 25");
        await _system.SubmitAsync(task);
        var saved = await WaitForCheckpointAsync(task.Id);

        _started[0].Kill9();
        var successor = $"{_language}-{tag}-2";
        _started.Add(_workers.Start(_language, successor, tag));
        var final = await WaitForFinalAsync(task.Id);
        var history = await _system.GetHistoryAsync(task.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(final.State, Is.EqualTo(TaskState.Completed));
            Assert.That(final.Attempts, Is.EqualTo(2));
            Assert.That(final.Result, Does.Match($"^steps ([5-9]|1[0-9]|2[0-4]) to 25 on {successor}$"), $"resumed from a saved checkpoint (at least {saved})");
            Assert.That(history!.Where(h => h.Event == TaskHistoryEvents.Requeued).Select(h => h.WorkerId), Is.EqualTo(new[] { $"{_language}-{tag}" }));
        }
    }

    [Test]
    public async Task ADrainingWorker_FinishesWhatEndsInTime_HandsBackTheRest_WithItsCheckpoint_AndLeaves()
    {
        var tag = await StartWorkerAsync("drain", capacity: 2, drain: TimeSpan.FromSeconds(3));
        var quick = NewTask(tag, "steps 10");
        var slow = NewTask(tag, "steps 40");
        await _system.SubmitAllAsync([quick, slow]);
        await _system.WaitUntilStartedAsync(quick.Id);
        await WaitForCheckpointAsync(slow.Id);

        var leaving = _started[0];
        leaving.Terminate();
        Assert.That(await leaving.WaitForExitAsync(Patience), Is.True, "the worker exits once it has drained");
        await _system.WaitForStateAsync(slow.Id, TaskState.Pending);
        var handedBack = await _system.GetTaskAsync(slow.Id);
        var quickFinal = await WaitForFinalAsync(quick.Id);
        var successor = $"{_language}-{tag}-2";
        _started.Add(_workers.Start(_language, successor, tag));
        var slowFinal = await WaitForFinalAsync(slow.Id);
        var history = await _system.GetHistoryAsync(slow.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(leaving.ExitCode, Is.Zero);
            Assert.That(leaving.ReadLog(), Does.Not.Contain("lost its queue consumer"), "cancelling its own consumers is no lost queue");
            Assert.That(quickFinal.State, Is.EqualTo(TaskState.Completed), "finished within the drain");
            Assert.That(quickFinal.Attempts, Is.EqualTo(1));
            Assert.That(history!.Single(h => h.Event == TaskHistoryEvents.Requeued).Detail, Does.Contain("left"), "requeued because the worker left, not because it fell silent");
            Assert.That(slowFinal.State, Is.EqualTo(TaskState.Completed));
            Assert.That(slowFinal.Attempts, Is.EqualTo(2));
            Assert.That(slowFinal.Retries, Is.Zero, "a hand-back spends no retry");
            Assert.That(slowFinal.Result, Is.EqualTo($"steps {handedBack!.Checkpoint} to 40 on {successor}"), "resumed from the checkpoint it was handed back with");
            Assert.That(int.Parse(handedBack.Checkpoint!, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(5));
        }
    }

    [Test]
    public async Task OnceANewLeaderHasSpoken_TheOrdersOfTheDeposedScheduler_AreRefused_AndTheLeadersRun()
    {
        var tag = await StartWorkerAsync("term");
        var id = $"{_language}-{tag}";
        await using var capture = await WorkerEventCapture.StartAsync(_system, id);
        await using var channel = await _system.Connection.CreateChannelAsync();

        // The test plays the leader of term 7 of a replicated deployment; the fixture's scheduler, of term 0, is the
        // scheduler it deposed, still running and still sending orders.
        await SendAsync(channel, _system.Topology.WorkerControlQueue(id), Topology.ControlTypes.Leads,
            JsonSerializer.SerializeToUtf8Bytes(new SchedulerLeads(7, DateTimeOffset.UtcNow), WireJson.Default.SchedulerLeads));
        await Eventually.That(() => Task.FromResult(Heartbeats(capture).Any(h => h.Term == 7)), Patience, "a heartbeat saying term 7");
        var deposed = NewTask(tag, "echo from the deposed scheduler");
        await _system.SubmitAsync(deposed);
        await Eventually.That(() => Task.FromResult(Heartbeats(capture).Any(h => h.RefusedOrders > 0)), Patience, "a heartbeat counting a refused order");
        var leaders = new AssignTask(Guid.NewGuid(), 1, 0, "echo from the leader", DateTimeOffset.UtcNow) { Term = 7 };
        await SendAsync(channel, _system.Topology.WorkerQueue(id), Topology.AssignmentTypes.One,
            JsonSerializer.SerializeToUtf8Bytes(leaders, WireJson.Default.AssignTask));
        await Eventually.That(() => Task.FromResult(Results(capture).Any(r => r.TaskId == leaders.TaskId)), Patience, "the result of the leader's order");

        var history = await _system.GetHistoryEventsAsync(deposed.Id);
        await _system.CancelOverHttpAsync(deposed.Id, "the test is over");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Results(capture).Where(r => r.TaskId == leaders.TaskId).Select(r => (r.Outcome, r.Result)),
                Is.EqualTo(new[] { (TaskOutcome.Completed, (string?)"from the leader") }), "the leader's order ran once");
            Assert.That(Results(capture).Where(r => r.TaskId == deposed.Id), Is.Empty, "the deposed scheduler's order never ran");
            Assert.That(history, Does.Not.Contain(TaskHistoryEvents.Started));
            Assert.That(_started[0].ReadLog(), Does.Contain($"Refused the assignment of task {deposed.Id} attempt 1: it is of term 0, and a scheduler of term 7 leads"));
        }
    }

    /// <summary>Starts this fixture's language's worker for one test, with a tag only that test's tasks require.</summary>
    private async Task<string> StartWorkerAsync(string scenario, int capacity = 1, TimeSpan? drain = null)
    {
        var tag = $"{scenario}-{Guid.NewGuid():N}"[..(scenario.Length + 7)];
        var id = $"{_language}-{tag}";
        _started.Add(_workers.Start(_language, id, tag, capacity, drain));
        await Eventually.That(
            async () => (await _system.GetWorkersAsync()).Any(w => w.Id == id && w.Confirmed), Patience, $"worker {id} to join");
        return tag;
    }

    private static async Task SendAsync(IChannel channel, string queue, string type, byte[] body) =>
        await channel.BasicPublishAsync("", queue, false, new BasicProperties { ContentType = "application/json", Type = type }, body);

    private static IEnumerable<WorkerHeartbeat> Heartbeats(WorkerEventCapture capture) =>
        capture.Events.Where(e => e.Kind == Topology.WorkerEvents.Heartbeat).Select(e => JsonSerializer.Deserialize(e.Body, WireJson.Default.WorkerHeartbeat)!);

    private static IEnumerable<TaskFinished> Results(WorkerEventCapture capture) =>
        capture.Events.Where(e => e.Kind == Topology.WorkerEvents.Results).SelectMany(e => JsonSerializer.Deserialize(e.Body, WireJson.Default.TasksFinished)!.Results);

    private static SubmitTask NewTask(string tag, string payload) => new(Guid.NewGuid(), payload, 0) { Requires = [tag] };

    private async Task<TaskStatusView> RunAsync(SubmitTask task)
    {
        await _system.SubmitAsync(task);
        return await WaitForFinalAsync(task.Id);
    }

    private async Task<TaskStatusView> WaitForFinalAsync(Guid id)
    {
        var finals = await _system.WaitForFinalStatesAsync([id], Patience);
        Assert.That(finals, Contains.Key(id), $"task {id} did not end within {Patience.TotalSeconds} s: {(await _system.GetTaskAsync(id))?.State}");
        return finals[id];
    }

    /// <summary>Waits until the running task has saved a checkpoint (its fifth step) and returns it.</summary>
    private async Task<string> WaitForCheckpointAsync(Guid id)
    {
        string? checkpoint = null;
        await Eventually.That(async () => (checkpoint = (await _system.GetTaskAsync(id))?.Checkpoint) is not null, Patience, $"a checkpoint of task {id}");
        return checkpoint!;
    }
}
