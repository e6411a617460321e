using TaskScheduler.Broker;
using TaskScheduler.Scheduler.Hosting;
using TaskScheduler.Scheduler.Journal;
using TaskScheduler.Scheduler.Transport;
using TaskScheduler.Worker.Configuration;
using TaskScheduler.Worker.Hosting;
using TaskScheduler.Worker.Simulation;

namespace TaskScheduler.UnitTests;

/// <summary>Bad configuration is refused with a message that names the key to fix.</summary>
public class SettingsTests
{
    [Test]
    public void Defaults_AreValid()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(new BrokerOptions().Validate(), Is.Empty);
            Assert.That(new SchedulerOptions().Validate(), Is.Empty);
            Assert.That(new JournalOptions().Validate(), Is.Empty);
            Assert.That(new WorkerOptions().Validate(), Is.Empty);
        }
    }

    [Test]
    public void EachBadValue_IsReportedUnderItsKey()
    {
        var broker = new BrokerOptions { Url = "http://localhost", Prefix = "has space" }.Validate().ToList();
        var scheduler = new SchedulerOptions { HeartbeatInterval = TimeSpan.Zero, MissedHeartbeats = 0 }.Validate().ToList();
        var worker = new WorkerOptions { Id = "no/slash", Capacity = 11, PreemptGrace = TimeSpan.FromSeconds(-1), DefaultTimeout = TimeSpan.Zero }
            .Validate().ToList();
        var simulation = new SimulationOptions { FailureRate = 1.5, MaxRunTime = TimeSpan.Zero, MinRunTime = TimeSpan.FromSeconds(1) }.Validate().ToList();
        var handler = new HandlerOptions { Handler = "python" }.Validate().ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(broker, Has.One.StartsWith("Broker:Url").And.One.StartsWith("Broker:Prefix"));
            Assert.That(scheduler, Has.One.StartsWith("Scheduler:HeartbeatInterval").And.One.StartsWith("Scheduler:MissedHeartbeats"));
            Assert.That(worker, Has.One.StartsWith("Worker:Id").And.One.StartsWith("Worker:Capacity")
                .And.One.StartsWith("Worker:PreemptGrace").And.One.StartsWith("Worker:DefaultTimeout"));
            Assert.That(simulation, Has.One.StartsWith("Worker:FailureRate").And.One.StartsWith("Worker:MinRunTime"));
            Assert.That(handler, Has.One.EqualTo("Worker:Handler must be 'simulated' or 'command', not 'python'"));
        }
    }

    [Test]
    public void GraphAndRequeueLimits_OutOfRange_AreReportedUnderTheirKeys()
    {
        var problems = new SchedulerOptions { MaxGraphTasks = 0, MaxRequeues = -1 }.Validate().ToList();

        Assert.That(problems, Has.One.StartsWith("Scheduler:MaxGraphTasks").And.One.StartsWith("Scheduler:MaxRequeues"));
    }

    [Test]
    public void MaxTurnInputs_IsReadUnderItsFormerNameMaxBatch_WhenUnset_WithAWarning()
    {
        var old = new SchedulerOptions { MaxBatch = 50 };
        var both = new SchedulerOptions { MaxBatch = 50, MaxTurnInputs = 70 };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(new SchedulerOptions().Loop().MaxTurnInputs, Is.EqualTo(SchedulerOptions.DefaultMaxTurnInputs));
            Assert.That(new SchedulerOptions().RenamedSettingInUse, Is.Null);
            Assert.That(old.Loop().MaxTurnInputs, Is.EqualTo(50));
            Assert.That(old.RenamedSettingInUse, Does.Contain("Scheduler:MaxBatch").And.Contain("Scheduler:MaxTurnInputs"));
            Assert.That(both.Loop().MaxTurnInputs, Is.EqualTo(70));
            Assert.That(new SchedulerOptions { MaxBatch = 0 }.Validate(), Has.One.StartsWith("Scheduler:MaxBatch must be at least 1"));
        }
    }

    [Test]
    public void BrokerBounds_OutOfRange_AreReportedUnderTheirKeys()
    {
        var scheduler = new SchedulerOptions { RejectedQueue = new RejectedQueueOptions { MaxLength = 0, Ttl = TimeSpan.FromDays(30) } }.Validate().ToList();
        var worker = new WorkerOptions { HeartbeatTtl = TimeSpan.Zero, QueueExpiry = TimeSpan.FromDays(25) }.Validate().ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(scheduler, Has.One.StartsWith("Scheduler:RejectedQueue:MaxLength"));
            Assert.That(scheduler, Has.One.StartsWith("Scheduler:RejectedQueue:Ttl"), "the broker takes at most 2^31 ms");
            Assert.That(worker, Has.One.StartsWith("Worker:HeartbeatTtl"));
            Assert.That(worker, Has.One.StartsWith("Worker:QueueExpiry"));
        }
    }

    [Test]
    public void RejectedQueueBounds_AreTheBrokerArgumentsThatDropTheOldestFirst()
    {
        var bounds = new RejectedQueueOptions { MaxLength = 10, MaxBytes = 2048, Ttl = TimeSpan.FromHours(1) }.QueueBounds();
        Assert.That(bounds, Is.EquivalentTo(new Dictionary<string, object?>
        {
            ["x-max-length"] = 10, ["x-max-length-bytes"] = 2048L, ["x-overflow"] = "drop-head", ["x-message-ttl"] = 3_600_000,
        }));
    }

    [Test]
    public void WorkerNodes_EachGetTheirOwnId_AndTheSameOtherSettings()
    {
        var pool = new WorkerOptions { Id = "pool", Nodes = 3, Capacity = 7 };
        var single = new WorkerOptions { Id = "solo" };

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Enumerable.Range(1, 3).Select(n => pool.ForNode(n).Id), Is.EqualTo(new[] { "pool-1", "pool-2", "pool-3" }));
            Assert.That(pool.ForNode(2).Capacity, Is.EqualTo(7));
            Assert.That(single.ForNode(1).Id, Is.EqualTo("solo"), "a process with one node keeps its id as given");
            Assert.That(new WorkerOptions { Nodes = 0 }.Validate(), Has.One.StartsWith("Worker:Nodes"));
            Assert.That(new WorkerOptions { Id = new string('a', 64), Nodes = 2 }.Validate(), Has.One.StartsWith("Worker:Id"),
                "the node suffix must still fit in a worker id");
        }
    }
}
