using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.UnitTests;

/// <summary>Worker messages with impossible ids or capacities are ignored.</summary>
public class SchedulerCoreImplausibleWorkerTests : SchedulerCoreFixture
{
    private static IEnumerable<TestCaseData> ImplausibleWorkers()
    {
        yield return new TestCaseData("w1", 0).SetName("{m}_WithCapacityZero");
        yield return new TestCaseData("w1", 11).SetName("{m}_WithCapacityEleven");
        yield return new TestCaseData("w1", -1).SetName("{m}_WithNegativeCapacity");
        yield return new TestCaseData("", 1).SetName("{m}_WithEmptyId");
        yield return new TestCaseData("w 1", 1).SetName("{m}_WithSpaceInId");
        yield return new TestCaseData("w1.#", 1).SetName("{m}_WithRoutingCharactersInId");
        yield return new TestCaseData("wörker", 1).SetName("{m}_WithNonAsciiId");
        yield return new TestCaseData(new string('w', 65), 1).SetName("{m}_WithIdOf65Characters");
    }

    [TestCaseSource(nameof(ImplausibleWorkers))]
    public void Heartbeat_IsIgnored(string workerId, int capacity)
    {
        Submit();

        Core.Heartbeat(new WorkerHeartbeat(workerId, capacity, [], Draining: false, Now));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Workers, Is.Empty);
            Assert.That(Core.Counters.IgnoredWorkerMessages, Is.EqualTo(1));
            Assert.That(Core.Dispatch(), Is.Zero);
        }
    }

    [TestCaseSource(nameof(ImplausibleWorkers))]
    public void WorkerJoined_IsIgnored(string workerId, int capacity)
    {
        Submit();

        Core.WorkerJoined(new WorkerJoined(workerId, capacity, "host", 1, Now));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Workers, Is.Empty);
            Assert.That(Core.Counters.IgnoredWorkerMessages, Is.EqualTo(1));
            Assert.That(Core.Dispatch(), Is.Zero);
        }
    }

    [Test]
    public void Heartbeat_WithImplausibleCapacity_LeavesKnownWorkerAsItWas()
    {
        Join("w1", capacity: 2);
        var id = Submit();
        Core.Dispatch();
        Core.Effects.Clear();

        Core.Heartbeat(new WorkerHeartbeat("w1", 11, [], Draining: false, Now));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Workers["w1"].Capacity, Is.EqualTo(2));
            Assert.That(Active(id).WorkerId, Is.EqualTo("w1"));
            Assert.That(Core.Counters.IgnoredWorkerMessages, Is.EqualTo(1));
            Assert.That(Core.Effects.IsEmpty, Is.True);
        }
    }

    [TestCase(1)]
    [TestCase(10)]
    public void Heartbeat_RegistersWorker_AtTheLimits(int capacity)
    {
        var longestId = "a-" + new string('b', 60) + "_9";
        Assert.That(longestId, Has.Length.EqualTo(Limits.MaxWorkerIdLength));

        Beat(longestId, capacity);
        Clock.Advance(TimeSpan.FromSeconds(1));
        Beat(longestId, capacity);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Core.Counters.IgnoredWorkerMessages, Is.Zero);
            Assert.That(Core.Workers[longestId].Capacity, Is.EqualTo(capacity));
            Assert.That(Core.Workers[longestId].Confirmed, Is.True);
        }
    }
}
