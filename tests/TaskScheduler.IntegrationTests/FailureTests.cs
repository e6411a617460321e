using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

[TestFixture]
[Category("integration")]
public class FailureTests
{
    [Test]
    public async Task WorkerKilledMidRun_ItsTasksAreRequeuedWithTheirPriority_AndFinishElsewhere()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        var victim = system.StartWorker("victim", capacity: 3, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3));
        system.StartWorker("survivor1", capacity: 2, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400));
        system.StartWorker("survivor2", capacity: 2, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400));
        await system.WaitForWorkersAsync("victim", "survivor1", "survivor2");
        await using var events = await system.RecordEventsAsync();

        var tasks = Tasks.Many(20, i => i % 3);
        await system.SubmitAllAsync(tasks);
        await events.WaitUntilAsync(e => e.Count(x => x.State == TaskState.Running && x.WorkerId == "victim") >= 3,
            TimeSpan.FromSeconds(30), "the victim to run three tasks");

        var onVictim = events.Snapshot().Where(e => e.State == TaskState.Running && e.WorkerId == "victim").Select(e => e.TaskId).ToHashSet();
        victim.Kill9();

        await events.WaitForFinalAsync([.. tasks.Select(t => t.Id)], TimeSpan.FromMinutes(2));
        var finals = events.Finals();
        var lostOnVictim = onVictim.Where(id => finals[id].WorkerId != "victim").ToList();
        var requeued = events.Snapshot().Where(e => onVictim.Contains(e.TaskId) && e.State == TaskState.Pending && e.Attempt >= 1).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(finals.Values.Select(f => f.State), Is.All.EqualTo(TaskState.Completed));
            Assert.That(lostOnVictim, Is.Not.Empty, "some of the victim's tasks had to be finished by others");
            foreach (var id in lostOnVictim)
            {
                Assert.That(finals[id].WorkerId, Is.AnyOf("survivor1", "survivor2"));
                Assert.That(finals[id].Attempt, Is.GreaterThanOrEqualTo(2), "a requeued task runs as a new attempt");
                Assert.That(finals[id].Priority, Is.EqualTo(tasks.Single(t => t.Id == id).Priority), "requeue keeps the priority");
            }

            Assert.That(requeued, Is.Not.Empty, "the scheduler announced the requeue");
        }

        var workers = await system.GetWorkersAsync();
        Assert.That(workers.Select(w => w.Id), Is.EquivalentTo(new[] { "survivor1", "survivor2" }), "the dead worker is gone");
    }

    [Test]
    public async Task SchedulerKilledUnderLoad_AndRestarted_LosesNothing_AndCompletesNothingTwice()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        foreach (var id in new[] { "w1", "w2", "w3" })
        {
            system.StartWorker(id, capacity: 4, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200));
        }

        await system.WaitForWorkersAsync("w1", "w2", "w3");
        await using var events = await system.RecordEventsAsync();

        var tasks = Tasks.Many(900, i => i % 4);
        await system.SubmitAllAsync(tasks.Take(300));
        await events.WaitUntilAsync(e => e.Count(x => x.State == TaskState.Completed) >= 50, TimeSpan.FromSeconds(60), "50 completions");
        system.Scheduler!.Kill9();

        // Producers keep going while the scheduler is down: their submissions wait in the broker.
        await system.SubmitAllAsync(tasks.Skip(300).Take(300));
        await system.StartSchedulerAsync();
        await system.SubmitAllAsync(tasks.Skip(600));

        // Task events published in the instant before the kill may be lost with the process; the journal is the
        // truth, so ask the scheduler for every task.
        var finals = await system.WaitForFinalStatesAsync(tasks.Select(t => t.Id), TimeSpan.FromMinutes(3));
        var unfinished = tasks.Select(t => t.Id).Where(id => !finals.ContainsKey(id)).ToList();

        var completions = events.Snapshot().Where(e => e.State == TaskState.Completed).GroupBy(e => e.TaskId).Where(g => g.Count() > 1).Select(g => g.Key);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(unfinished, Is.Empty, "every accepted task reaches a final state after the restart");
            Assert.That(completions, Is.Empty, "no task is announced completed twice");
        }

        Assert.That(finals.Values.Select(f => f.State), Is.All.EqualTo(TaskState.Completed));
    }

    [Test]
    public async Task WorkerStoppedGracefully_FinishesWhatItRuns_AndLeaves()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        var leaving = system.StartWorker("leaving", capacity: 2, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        await system.WaitForWorkersAsync("leaving");
        await using var events = await system.RecordEventsAsync();

        var tasks = Tasks.Many(2, _ => 0);
        await system.SubmitAllAsync(tasks);
        await events.WaitUntilAsync(e => e.Count(x => x.State == TaskState.Running) == 2, TimeSpan.FromSeconds(30), "both tasks running");
        leaving.Terminate();

        Assert.That(await leaving.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.True, "the worker exits after draining");
        await events.WaitForFinalAsync([.. tasks.Select(t => t.Id)], TimeSpan.FromSeconds(10));
        var finals = events.Finals();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(finals.Values.Select(f => (f.State, f.WorkerId, f.Attempt)),
                Is.All.EqualTo(((TaskState?)TaskState.Completed, (string?)"leaving", 1)), "finished by the leaving worker, first attempt");
            Assert.That(leaving.ExitCode, Is.Zero);
        }

        await system.WaitForWorkersAsync();
    }

    [Test]
    public async Task WorkerStoppedGracefully_HandsBackWhatItCannotFinishInTime_AndOthersRunIt()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        var leaving = system.StartWorker("impatient", capacity: 2, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), drain: TimeSpan.FromSeconds(1));
        await system.WaitForWorkersAsync("impatient");
        await using var events = await system.RecordEventsAsync();

        var tasks = Tasks.Many(2, _ => 4);
        await system.SubmitAllAsync(tasks);
        await events.WaitUntilAsync(e => e.Count(x => x.State == TaskState.Running) == 2, TimeSpan.FromSeconds(30), "both tasks running");
        leaving.Terminate();
        Assert.That(await leaving.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.True, "the worker exits after its drain timeout");

        await events.WaitUntilAsync(e => e.Count(x => x.State == TaskState.Pending && x.Attempt == 1) == 2, TimeSpan.FromSeconds(10), "both tasks handed back");
        system.StartWorker("successor", capacity: 2);
        await events.WaitForFinalAsync([.. tasks.Select(t => t.Id)], TimeSpan.FromSeconds(30));

        var finals = events.Finals();
        Assert.That(finals.Values.Select(f => (f.State, f.WorkerId, f.Attempt, f.Priority)),
            Is.All.EqualTo(((TaskState?)TaskState.Completed, (string?)"successor", 2, 4)));
    }

    [Test]
    public async Task LateResultFromASupersededAttempt_IsFencedOff()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorker("honest", capacity: 1, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        await system.WaitForWorkersAsync("honest");
        await using var events = await system.RecordEventsAsync();

        var task = Tasks.New();
        await system.SubmitAsync(task);
        await events.WaitUntilAsync(e => e.Any(x => x.State == TaskState.Running), TimeSpan.FromSeconds(30), "the task to start");

        // A result for an attempt the scheduler never made, and one from a worker that does not hold the task.
        await system.PublishWorkerResultAsync("honest", new TaskFinished("honest", task.Id, 7, TaskOutcome.Failed, "forged", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));
        await system.PublishWorkerResultAsync("intruder", new TaskFinished("intruder", task.Id, 1, TaskOutcome.Failed, "forged", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));

        await events.WaitForFinalAsync([task.Id], TimeSpan.FromSeconds(30));
        var final = events.Finals()[task.Id];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(final.State, Is.EqualTo(TaskState.Completed));
            Assert.That(final.WorkerId, Is.EqualTo("honest"));
            Assert.That(final.Attempt, Is.EqualTo(1));
        }
    }
}
