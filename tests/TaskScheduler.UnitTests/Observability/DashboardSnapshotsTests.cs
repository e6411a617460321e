using TaskScheduler.Contracts.Messages;
using TaskScheduler.Dashboard;
using TaskScheduler.Scheduler.Observability;

namespace TaskScheduler.UnitTests.Observability;

/// <summary>The dashboard's answer built from the pure core's view, as <c>GET /api/dashboard</c> serves it.</summary>
public class DashboardSnapshotsTests : SchedulerCoreFixture
{
    private readonly RecentFailures _failures = new();

    [Test]
    public void Build_ListsRunningTasksThatReportProgress_ByWorkerThenTask()
    {
        Join("w2", capacity: 1);
        Join("w1", capacity: 2);
        Submit();
        Submit();
        Submit();
        var assignments = DispatchNow();
        Assert.That(assignments, Has.Count.EqualTo(3));
        var silent = assignments.First(a => a.WorkerId == "w1");
        var onW1 = assignments.Last(a => a.WorkerId == "w1");
        var onW2 = assignments.Single(a => a.WorkerId == "w2");
        Beat("w1", 2, new RunningTask(silent.TaskId, 1), new RunningTask(onW1.TaskId, 1) { Progress = new TaskProgress(1.7, "resizing", Now) });
        Beat("w2", 1, new RunningTask(onW2.TaskId, 1) { Progress = new TaskProgress(0.25, "page 3 of 12", Now.AddSeconds(-2)) });
        Clock.Advance(TimeSpan.FromSeconds(1));

        var snapshot = Build();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.Progress.Select(p => (p.TaskId, p.WorkerId)), Is.EqualTo(new[] { (onW1.TaskId, "w1"), (onW2.TaskId, "w2") }),
                "a task that reports nothing is not listed");
            Assert.That(snapshot.Progress[0].Progress.Fraction, Is.EqualTo(1), "a fraction is kept within 0 to 1");
            Assert.That(snapshot.Progress[1].Progress, Is.EqualTo(new TaskProgress(0.25, "page 3 of 12", Now.AddSeconds(-3))));
            Assert.That(snapshot.ProgressTotal, Is.EqualTo(2));
        }

        Assert.That(Core.Finish(Result(onW2)), Is.True);
        Assert.That(Build().Progress.Select(p => p.TaskId), Is.EqualTo(new[] { onW1.TaskId }), "a finished task leaves the list");
    }

    [Test]
    public void Build_ListsAtMostItsLimit_AndSaysHowManyReport()
    {
        var running = new List<RunningTask>[6];
        for (var w = 0; w < running.Length; w++)
        {
            Join($"w{w}", capacity: 10);
            running[w] = [];
        }

        for (var i = 0; i < 60; i++)
        {
            Submit();
        }

        foreach (var a in DispatchNow())
        {
            running[int.Parse(a.WorkerId[1..], System.Globalization.CultureInfo.InvariantCulture)]
                .Add(new RunningTask(a.TaskId, a.Attempt) { Progress = new TaskProgress(0.5, null, Now) });
        }

        for (var w = 0; w < running.Length; w++)
        {
            Beat($"w{w}", 10, [.. running[w]]);
        }

        var snapshot = Build();

        Assert.That((snapshot.Progress.Count, snapshot.ProgressTotal), Is.EqualTo((DashboardLimits.MaxProgress, 60)));
    }

    [Test]
    public void Build_CutsALongError_AndLeavesAShortOneAlone()
    {
        var stackTrace = string.Concat(Enumerable.Repeat("at Handler.RunAsync() in Handler.cs:line 42\n", 200));
        _failures.Add(new FailedTask(Guid.NewGuid(), 0, 1, "w1", "disk full", Now));
        _failures.Add(new FailedTask(Guid.NewGuid(), 0, 1, "w1", stackTrace, Now));

        var failures = Build().RecentFailures;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(failures[0].Error, Has.Length.EqualTo(DashboardLimits.MaxErrorLength).And.EndsWith("…").And.StartsWith("at Handler.RunAsync()"));
            Assert.That(failures[1].Error, Is.EqualTo("disk full"));
        }
    }

    private DashboardSnapshot Build() =>
        new DashboardSnapshots(new TimeSeries(TimeSpan.FromSeconds(1)), _failures, Now.AddMinutes(-1))
            .Build(Core.View(), ready: true, TimeSpan.FromMinutes(1), Now);
}
