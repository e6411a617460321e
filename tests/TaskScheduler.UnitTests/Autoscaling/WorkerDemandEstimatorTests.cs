using Microsoft.Extensions.Time.Testing;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Dashboard;
using TaskScheduler.Scheduler.Autoscaling;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Dispatching;

namespace TaskScheduler.UnitTests.Autoscaling;

/// <summary>How many workers the scheduler asks for, on a fake clock.</summary>
public class WorkerDemandEstimatorTests
{
    private static readonly AutoscaleOptions Options = new()
    {
        MinWorkers = 1,
        MaxWorkers = 8,
        TargetBacklogTime = TimeSpan.FromSeconds(10),
        ScaleInCooldown = TimeSpan.FromSeconds(30),
        Smoothing = TimeSpan.FromSeconds(5),
        DefaultRunTime = TimeSpan.FromSeconds(1),
        WorkerCapacity = 4,
    };

    private FakeTimeProvider _clock = null!;
    private WorkerDemandEstimator _estimator = null!;
    private long _accepted;

    [SetUp]
    public void SetUp()
    {
        _clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        _estimator = new WorkerDemandEstimator(Options, _clock);
        _accepted = 0;
    }

    [Test]
    public void AnIdleSystem_AsksForTheMinimum()
    {
        var figure = Update(pending: 0, running: 0);

        Assert.That(figure.DesiredWorkers, Is.EqualTo(1));
    }

    [Test]
    public void ABacklog_RaisesTheFigureAtOnce_ToWhatWorksItOffInTheTargetTime()
    {
        Update(pending: 0, running: 0);
        _clock.Advance(TimeSpan.FromSeconds(1));

        // 60 tasks of 1 s (the default until a task finished) in 10 s: 6 slots, 2 workers of capacity 4.
        var figure = Update(pending: 60, running: 0);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(figure.DesiredWorkers, Is.EqualTo(2));
            Assert.That(figure.DemandSlots, Is.EqualTo(6).Within(0.01));
        }
    }

    [Test]
    public void ALongBacklog_IsBoundedByTheMaximum()
    {
        var figure = Update(pending: 100_000, running: 0);

        Assert.That(figure.DesiredWorkers, Is.EqualTo(8));
    }

    [Test]
    public void RunTimesOfFinishedTasks_ReplaceTheDefault()
    {
        Update(pending: 0, running: 0);
        for (var i = 0; i < 10; i++)
        {
            _estimator.RecordRun(TimeSpan.FromMilliseconds(100));
        }

        _clock.Advance(TimeSpan.FromSeconds(1));
        // 200 tasks of 0.1 s in 10 s: 2 slots, one worker.
        var figure = Update(pending: 200, running: 0);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(figure.MeanRunSeconds, Is.EqualTo(0.1).Within(0.001));
            Assert.That(figure.DesiredWorkers, Is.EqualTo(1));
        }
    }

    [Test]
    public void RunTimes_AreSmoothed_SoOneSlowTaskDoesNotDoubleThePool()
    {
        Update(pending: 0, running: 0);
        _estimator.RecordRun(TimeSpan.FromSeconds(1));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Update(pending: 0, running: 0);

        _estimator.RecordRun(TimeSpan.FromSeconds(3));
        _clock.Advance(TimeSpan.FromSeconds(1));
        var figure = Update(pending: 0, running: 0);

        // One second against a 5 s time constant moves the mean about 18% of the way from 1 s towards 3 s.
        Assert.That(figure.MeanRunSeconds, Is.EqualTo(1 + (2 * (1 - Math.Exp(-0.2)))).Within(0.001));
    }

    [Test]
    public void SteadyArrivals_KeepEnoughWorkersToKeepUp()
    {
        for (var i = 0; i < 10; i++)
        {
            _estimator.RecordRun(TimeSpan.FromMilliseconds(500));
        }

        AutoscaleView figure = null!;
        // 40 tasks a second, each worked off at once (no backlog), for a minute: smoothing converges on 40/s.
        for (var second = 0; second < 60; second++)
        {
            _accepted += 40;
            _clock.Advance(TimeSpan.FromSeconds(1));
            figure = Update(pending: 0, running: 0);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(figure.ArrivalRate, Is.EqualTo(40).Within(0.1));
            // 40/s × 0.5 s = 20 slots = 5 workers of capacity 4.
            Assert.That(figure.DesiredWorkers, Is.EqualTo(5));
        }
    }

    [Test]
    public void TasksRunning_AreNeverLeftWithoutTheirSlots()
    {
        var figure = Update(pending: 0, running: 13);

        Assert.That(figure.DesiredWorkers, Is.EqualTo(4));
    }

    [Test]
    public void TheCapacityOfLiveWorkers_IsUsed_WhenThereAreAny()
    {
        var workers = new[] { Worker("a", capacity: 10), Worker("b", capacity: 10), Worker("gone", capacity: 1, draining: true) };

        var figure = Update(pending: 0, running: 30, workers);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(figure.WorkerCapacity, Is.EqualTo(10));
            Assert.That(figure.CurrentWorkers, Is.EqualTo(2), "a draining worker takes no work");
            Assert.That(figure.DesiredWorkers, Is.EqualTo(3));
        }
    }

    [Test]
    public void ALowerFigure_IsPublishedOnlyAfterTheCooldown()
    {
        Assert.That(Update(pending: 100_000, running: 0).DesiredWorkers, Is.EqualTo(8));

        _clock.Advance(TimeSpan.FromSeconds(1));
        var justAfter = Update(pending: 0, running: 0);
        _clock.Advance(TimeSpan.FromSeconds(28));
        var beforeCooldown = Update(pending: 0, running: 0);
        _clock.Advance(TimeSpan.FromSeconds(2));
        var afterCooldown = Update(pending: 0, running: 0);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(justAfter.RecommendedWorkers, Is.EqualTo(1));
            Assert.That(justAfter.DesiredWorkers, Is.EqualTo(8));
            Assert.That(beforeCooldown.DesiredWorkers, Is.EqualTo(8));
            Assert.That(afterCooldown.DesiredWorkers, Is.EqualTo(1));
        }
    }

    [Test]
    public void AfterTheCooldown_TheFigureFollowsTheHighestRecentRecommendation()
    {
        Update(pending: 100_000, running: 0);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Update(pending: 0, running: 12);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Update(pending: 0, running: 0);
        _clock.Advance(TimeSpan.FromSeconds(15));

        // 8 is out of the window; 3 (12 running) is the highest left in it.
        var figure = Update(pending: 0, running: 0);

        Assert.That(figure.DesiredWorkers, Is.EqualTo(3));
    }

    [Test]
    public void EachPool_GetsItsOwnFigure_FromWhatWaitsForItAndRunsInIt()
    {
        var view = new SchedulerView([], [], 48, 4, new SchedulerCounters(), _clock.GetUtcNow())
        {
            Pools =
            [
                new PoolLoad("default", [], 8, 4, 2, 0),
                new PoolLoad("gpu", ["gpu"], 40, 0, 0, 0),
                new PoolLoad("eu-west", ["eu-west"], 0, 0, 1, 4),
            ],
        };

        var pools = _estimator.Update(view).Pools.ToDictionary(p => p.Pool);

        using (Assert.EnterMultipleScope())
        {
            // 40 tasks of 1 s in 10 s: 4 slots, one worker of capacity 4, though none has joined yet.
            Assert.That(pools["gpu"], Is.EqualTo(new PoolDemand("gpu", pools["gpu"].Tags, 1, 0, 40, 0)));
            Assert.That(pools["gpu"].Tags, Is.EqualTo(new[] { "gpu" }));
            // 4 running and 8 waiting: 4.8 slots, two workers.
            Assert.That(pools["default"].DesiredWorkers, Is.EqualTo(2));
            Assert.That(pools["eu-west"].DesiredWorkers, Is.Zero, "an idle tagged pool may shrink to nothing");
        }
    }

    [Test]
    public void BadSettings_AreReportedUnderTheirKeys()
    {
        var problems = new AutoscaleOptions { MinWorkers = 5, MaxWorkers = 2, WorkerCapacity = 11, Smoothing = TimeSpan.Zero }.Validate().ToList();

        Assert.That(problems, Has.One.StartsWith("Autoscale:MaxWorkers").And.One.StartsWith("Autoscale:WorkerCapacity")
            .And.One.StartsWith("Autoscale:TargetBacklogTime"));
    }

    private AutoscaleView Update(int pending, int running, WorkerView[]? workers = null) =>
        _estimator.Update(new SchedulerView(
            workers ?? [], [], pending, running, new SchedulerCounters { Accepted = _accepted }, _clock.GetUtcNow()));

    private WorkerView Worker(string id, int capacity, bool draining = false) =>
        new(id, capacity, 0, draining, Confirmed: true, _clock.GetUtcNow(), 0, 0);
}
