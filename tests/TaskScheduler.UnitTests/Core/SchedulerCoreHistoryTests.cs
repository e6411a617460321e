using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.UnitTests;

/// <summary>Every step of a task's life is written down, with where and which attempt.</summary>
public class SchedulerCoreHistoryTests : SchedulerCoreFixture
{
    [Test]
    public void History_OfATaskThatRunsOnce_IsAcceptedAssignedStartedCompleted()
    {
        Join("w1", capacity: 1);
        var id = Submit(priority: 3);
        DispatchNow();
        Clock.Advance(TimeSpan.FromSeconds(1));
        Beat("w1", capacity: 1, new RunningTask(id, 1));
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(Core.Finish(Result(id, "w1", 1)), Is.True);

        var steps = Core.Effects.History.Where(h => h.TaskId == id).Select(h => h.Entry).ToList();
        Assert.That(steps, Is.EqualTo(new[]
        {
            new TaskHistoryEntry(Now.AddSeconds(-2), TaskHistoryEvents.Accepted, null, null, "priority 3"),
            new TaskHistoryEntry(Now.AddSeconds(-2), TaskHistoryEvents.Assigned, "w1", 1, null),
            new TaskHistoryEntry(Now.AddSeconds(-1), TaskHistoryEvents.Started, "w1", 1, null),
            new TaskHistoryEntry(Now, TaskHistoryEvents.Completed, "w1", 1, null),
        }));
    }

    [Test]
    public void History_OfAShortTask_GetsItsStartFromTheResult()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        DispatchNow();
        var startedAt = Now.AddMilliseconds(5);
        Clock.Advance(TimeSpan.FromMilliseconds(20));
        Core.Effects.Clear();

        Core.Finish(new TaskFinished("w1", id, 1, TaskOutcome.Failed, "bad input", startedAt, Now));

        Assert.That(Core.Effects.History.Select(h => h.Entry), Is.EqualTo(new[]
        {
            new TaskHistoryEntry(startedAt, TaskHistoryEvents.Started, "w1", 1, null),
            new TaskHistoryEntry(Now, TaskHistoryEvents.Failed, "w1", 1, "bad input"),
        }));
    }

    [Test]
    public void History_TakesTheStartFromTheResult_WhenAHeartbeatFirstNamedTheAttemptLater()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        DispatchNow();
        var startedAt = Now.AddMilliseconds(30);
        Clock.Advance(TimeSpan.FromMilliseconds(900));
        Beat("w1", capacity: 1, new RunningTask(id, 1));
        Clock.Advance(TimeSpan.FromSeconds(2));

        Assert.That(Core.Finish(new TaskFinished("w1", id, 1, TaskOutcome.Completed, null, startedAt, Now)), Is.True);
        var task = Core.Effects.Changed[id];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(task.History.Where(h => h.Event == TaskHistoryEvents.Started).Select(h => h.At), Is.EqualTo(new[] { startedAt }));
            Assert.That(task.StartedAt, Is.EqualTo(startedAt));
        }
    }

    [Test]
    public void History_KeepsTheStartBetweenTheAssignmentAndTheHeartbeat_WhateverTheWorkerClockSays()
    {
        Join("w1", capacity: 2);
        var early = Submit();
        var late = Submit();
        DispatchNow();
        var assignedAt = Now;
        Clock.Advance(TimeSpan.FromSeconds(1));
        Beat("w1", capacity: 2, new RunningTask(early, 1), new RunningTask(late, 1));
        var heardAt = Now;
        Clock.Advance(TimeSpan.FromSeconds(1));

        // One says it started before it was assigned, the other after the heartbeat that listed it as running.
        Assert.That(Core.Finish(new TaskFinished("w1", early, 1, TaskOutcome.Completed, null, assignedAt.AddSeconds(-5), Now)), Is.True);
        Assert.That(Core.Finish(new TaskFinished("w1", late, 1, TaskOutcome.Completed, null, heardAt.AddMilliseconds(500), Now)), Is.True);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(StartedStep(early), Is.EqualTo(assignedAt));
            Assert.That(StartedStep(late), Is.EqualTo(heardAt));
        }
    }

    [Test]
    public void History_OfAFailedAttemptRetried_TakesItsStartFromTheResult()
    {
        Join("w1", capacity: 1);
        var id = Guid.NewGuid();
        SubmitGraph(Spec(id, maxRetries: 1));
        DispatchNow();
        var startedAt = Now.AddMilliseconds(10);
        Clock.Advance(TimeSpan.FromMilliseconds(800));
        Beat("w1", capacity: 1, new RunningTask(id, 1));
        Clock.Advance(TimeSpan.FromMilliseconds(100));

        Assert.That(Core.Finish(new TaskFinished("w1", id, 1, TaskOutcome.Failed, "boom", startedAt, Now)), Is.True);

        Assert.That(StartedStep(id), Is.EqualTo(startedAt));
    }

    [Test]
    public void History_OfATaskWhoseWorkerDied_SaysSoAndThatItWasRequeued()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        DispatchNow();
        Core.Effects.Clear();

        Clock.Advance(Liveness.Window + TimeSpan.FromSeconds(1));
        Core.CheckLiveness();

        var steps = Core.Effects.History.Select(h => h.Entry).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(steps.Select(s => (s.Event, s.WorkerId, s.Attempt)), Is.EqualTo(new[]
            {
                (TaskHistoryEvents.WorkerDead, "w1", 1),
                (TaskHistoryEvents.Requeued, "w1", 1),
            }));
            Assert.That(steps[0].Detail, Does.Contain("missed 3 heartbeats"));
        }
    }

    [Test]
    public void History_OfAGracefulHandBack_IsARequeueWithoutADeath()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        DispatchNow();
        Core.Effects.Clear();

        Core.WorkerLeft(new WorkerLeft("w1", [new RunningTask(id, 1)], Now));

        Assert.That(HistoryOf(id), Is.EqualTo(new[] { TaskHistoryEvents.Requeued }));
    }

    [Test]
    public void History_TravelsInTheTasksSnapshot_AndSurvivesARestore()
    {
        Join("w1", capacity: 1);
        var id = Submit();
        DispatchNow();
        Assert.That(Core.Effects.Changed[id].History.Select(h => h.Event), Is.EqualTo(new[] { TaskHistoryEvents.Assigned }),
            "accepted is implied by the task, so a queued task carries no history");
        var journal = Core.Effects.Changed.Values.ToList();

        SetUp();
        Core.Restore(journal, lastSequence: 1);
        Clock.Advance(Liveness.Window + TimeSpan.FromSeconds(1));
        Core.CheckLiveness();

        Assert.That(Core.Effects.Changed[id].History.Select(h => h.Event), Is.EqualTo(new[]
        {
            TaskHistoryEvents.Assigned, TaskHistoryEvents.WorkerDead, TaskHistoryEvents.Requeued,
        }));
    }

    private DateTimeOffset StartedStep(Guid id) =>
        Core.Effects.Changed[id].History.Single(h => h.Event == TaskHistoryEvents.Started).At;
}
