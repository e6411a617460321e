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
}
