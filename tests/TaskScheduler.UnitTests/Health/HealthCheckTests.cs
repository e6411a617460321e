using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Health;
using TaskScheduler.Scheduler.Observability;
using TaskScheduler.Scheduler.Transport;

namespace TaskScheduler.UnitTests;

public class HealthCheckTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private PublishedView _state = null!;
    private BrokerHealth _broker = null!;
    private JournalStatus _journal = null!;

    [SetUp]
    public void SetUp()
    {
        _state = new PublishedView();
        _broker = new BrokerHealth();
        _journal = new JournalStatus();
    }

    [Test]
    public async Task NotReady_WhileTheJournalCannotWrite_SayingWhy_YetAlive_AndReadyOnceItWritesAgain()
    {
        _state.Turned(_clock.GetUtcNow());
        _state.Ready = true;
        _journal.Failing("No space left on device : '/data/journal-log.db'", _clock.GetUtcNow());
        var full = await ReadinessAsync();
        var live = await LivenessAsync();
        _journal.Writable();
        var writable = await ReadinessAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(full.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(full.Description, Does.Contain($"the journal cannot write since {_clock.GetUtcNow():HH:mm:ss} UTC (No space left on device"));
            Assert.That(live.Status, Is.EqualTo(HealthStatus.Healthy), "a restart would not free the disk: no reason to restart");
            Assert.That(writable.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(_journal.Outages, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Ready_OnlyOnceStarted_AndWhileTheLoopTurnsAndEveryConsumerConsumes()
    {
        var starting = await ReadinessAsync();
        _state.Turned(_clock.GetUtcNow());
        _state.Ready = true;
        var ready = await ReadinessAsync();
        _broker.ConsumerDown("tasks.scheduler.events", "the broker cancelled the consumer");
        var consumerDown = await ReadinessAsync();
        var liveMeanwhile = await LivenessAsync();
        _broker.ConsumerUp("tasks.scheduler.events");
        var consumingAgain = await ReadinessAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(starting.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(starting.Description, Does.StartWith("starting"));
            Assert.That(ready.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(consumerDown.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(consumerDown.Description, Does.Contain("not consuming tasks.scheduler.events"));
            Assert.That(liveMeanwhile.Status, Is.EqualTo(HealthStatus.Healthy), "a restart would not bring the queue back");
            Assert.That(consumingAgain.Status, Is.EqualTo(HealthStatus.Healthy));
        }
    }

    [Test]
    public async Task NeitherReadyNorLive_OnceTheLoopDied()
    {
        _state.Turned(_clock.GetUtcNow());
        _state.Ready = true;
        _state.Fail(new InvalidOperationException("the journal write failed"));

        var ready = await ReadinessAsync();
        var live = await LivenessAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ready.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(live.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(live.Description, Does.Contain("the journal write failed"));
        }
    }

    [Test]
    public async Task AStalledLoop_IsNotReady_AndNotLiveOnceItIsWedged()
    {
        _state.Turned(_clock.GetUtcNow());
        _state.Ready = true;

        _clock.Advance(SchedulerReadinessCheck.StallLimit + TimeSpan.FromSeconds(1));
        var stalledReady = await ReadinessAsync();
        var stalledLive = await LivenessAsync();
        _clock.Advance(SchedulerLivenessCheck.WedgedAfter);
        var wedgedLive = await LivenessAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(stalledReady.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(stalledLive.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(wedgedLive.Status, Is.EqualTo(HealthStatus.Unhealthy));
        }
    }

    [Test]
    public async Task NotReady_WhileTheBrokerBlocksPublishing_OrTheConnectionIsDown()
    {
        _state.Turned(_clock.GetUtcNow());
        _state.Ready = true;

        _broker.Blocked("the broker blocks publishing: low on disk");
        var blocked = await ReadinessAsync();
        _broker.Blocked(null);
        _broker.ConnectionDown("broker connection lost");
        var down = await ReadinessAsync();
        _broker.ConnectionUp();
        var back = await ReadinessAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(blocked.Description, Does.Contain("low on disk"));
            Assert.That(down.Description, Does.Contain("connection lost"));
            Assert.That(back.Status, Is.EqualTo(HealthStatus.Healthy));
        }
    }

    private Task<HealthCheckResult> ReadinessAsync() =>
        new SchedulerReadinessCheck(_state, _broker, _journal, _clock).CheckHealthAsync(new HealthCheckContext());

    private Task<HealthCheckResult> LivenessAsync() =>
        new SchedulerLivenessCheck(_state, _clock).CheckHealthAsync(new HealthCheckContext());
}
