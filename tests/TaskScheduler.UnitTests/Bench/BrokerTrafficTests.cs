using TaskScheduler.Bench.Traffic;

namespace TaskScheduler.UnitTests.Bench;

public class BrokerTrafficTests
{
    [TestCase("meas scheduler", TrafficRole.Scheduler)]
    [TestCase("meas worker w-1", TrafficRole.Workers)]
    [TestCase("meas bench", TrafficRole.Producer)]
    [TestCase("measure scheduler", null)]
    [TestCase("other scheduler", null)]
    [TestCase("meas cli", null)]
    [TestCase(null, null)]
    public void Role_CountsOnlyThisPrefixsSchedulerWorkersAndBench(string? name, string? role) =>
        Assert.That(TrafficRole.Of(name, "meas"), Is.EqualTo(role));

    [Test]
    public void Between_CountsWhatEachRoleDidDuringTheRun_PerTask()
    {
        var before = Snapshot(
            ("c1", new TrafficCounters(TrafficRole.Scheduler, BytesIn: 1000, BytesOut: 2000)),
            ("c1 (1)", new TrafficCounters(TrafficRole.Scheduler, Published: 50, Delivered: 10)));
        var after = Snapshot(
            ("c1", new TrafficCounters(TrafficRole.Scheduler, BytesIn: 5000, BytesOut: 10000)),
            ("c1 (1)", new TrafficCounters(TrafficRole.Scheduler, Published: 250, Delivered: 110)),
            // Opened during the run: counted from zero.
            ("c2 (1)", new TrafficCounters(TrafficRole.Producer, Published: 100)));

        var traffic = BrokerTraffic.Between(before, after, tasks: 100);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(traffic.Total!.PublishedPerTask, Is.EqualTo(3.0));
            Assert.That(traffic.Total.DeliveredPerTask, Is.EqualTo(1.0));
            Assert.That(traffic.Total.BytesInPerTask, Is.EqualTo(40.0));
            Assert.That(traffic.Total.BytesOutPerTask, Is.EqualTo(80.0));
            Assert.That(traffic.ByRole[TrafficRole.Scheduler].PublishedPerTask, Is.EqualTo(2.0));
            Assert.That(traffic.ByRole[TrafficRole.Producer].PublishedPerTask, Is.EqualTo(1.0));
            Assert.That(traffic.LostCounters, Is.Zero);
            Assert.That(traffic.Note, Is.Null);
        }
    }

    [Test]
    public void Between_SaysWhenAChannelClosedDuringTheRun()
    {
        var before = Snapshot(("c1 (1)", new TrafficCounters(TrafficRole.Workers, Published: 5)));
        var traffic = BrokerTraffic.Between(before, Snapshot(), tasks: 10);

        Assert.That(traffic.Note, Does.Contain("1 connections or channels closed"));
    }

    [Test]
    public void ManagementUrl_DefaultsToTheBrokersHostWithItsCredentialsAndVirtualHost()
    {
        using var api = ManagementApi.For("amqp://alice:secret@rabbit.example:5672/prod", null);

        Assert.That(api.BaseUrl, Is.EqualTo(new Uri("http://rabbit.example:15672/")));
    }

    [Test]
    public void ManagementUrl_KeepsAGivenPathForAManagementBehindAProxy()
    {
        using var api = ManagementApi.For("amqp://127.0.0.1/", "https://u:p@proxy.example/rabbit");

        Assert.That(api.BaseUrl, Is.EqualTo(new Uri("https://proxy.example/rabbit/")));
    }

    private static TrafficSnapshot Snapshot(params (string Name, TrafficCounters Counters)[] entries) => new(
        entries.Where(e => !e.Name.Contains('(')).ToDictionary(e => e.Name, e => e.Counters),
        entries.Where(e => e.Name.Contains('(')).ToDictionary(e => e.Name, e => e.Counters));
}
