using System.Text;
using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// The broker stays bounded whatever comes and goes: rejected copies are capped and age out, heartbeats sent while no
/// scheduler listens expire, and the queues of a worker that died unseen expire with it.
/// </summary>
[TestFixture]
[Category("integration")]
public class BoundedBrokerTests
{
    [Test]
    public async Task WorkerKilled9_WhileNoSchedulerRuns_LeavesNoQueue_AfterItsExpiry()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        var worker = system.StartWorker("doomed", extraArgs: ["--Worker:QueueExpiry=00:00:03"]);
        await system.WaitForWorkersAsync("doomed");

        // No scheduler is there to declare it dead and delete its queues: only their expiry can.
        system.Scheduler!.Terminate();
        Assert.That(await system.Scheduler.WaitForExitAsync(TimeSpan.FromSeconds(60)), Is.True, "the scheduler stops");
        worker.Kill9();
        var queues = new[] { system.Topology.WorkerQueue("doomed"), system.Topology.WorkerControlQueue("doomed") };
        var existedAfterKill = await BrokerQueues.ExistsAsync(system.BrokerUrl, queues[0]);
        var gone = new List<bool>();
        foreach (var queue in queues)
        {
            gone.Add(await BrokerQueues.WaitUntilGoneAsync(system.BrokerUrl, queue, TimeSpan.FromSeconds(60)));
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(existedAfterKill, Is.True, "the queue outlives the process at first");
            Assert.That(gone, Is.All.True, "both queues expire once unused for Worker:QueueExpiry");
        }
    }

    [Test]
    public async Task RejectedQueue_UnderAFloodOfBadSubmissions_KeepsOnlyTheNewestUpToItsLimit()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync(["--Scheduler:RejectedQueue:MaxLength=50"]);
        const int flood = 400;
        for (var i = 0; i < flood; i++)
        {
            await system.PublishAsync(Encoding.UTF8.GetBytes($"not json {i:D4}"));
        }

        await WaitForRejectedCountAsync(system, flood);
        var inQueue = await system.CountMessagesAsync(system.Topology.RejectedQueue);
        var kept = await system.DrainRejectedAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(inQueue, Is.EqualTo(50), "the queue holds Scheduler:RejectedQueue:MaxLength copies, no more");
            Assert.That(kept.Select(m => Encoding.UTF8.GetString(m.Body)), Is.EqualTo(Enumerable.Range(flood - 50, 50).Select(i => $"not json {i:D4}")),
                "the oldest copies went first");
            Assert.That(kept.Select(m => m.Reason), Is.All.Not.Empty, "each kept copy still says why");
            Assert.That(system.Scheduler!.HasExited, Is.False);
        }
    }

    [Test]
    public async Task RejectedCopies_AgeOut_AfterTheirTtl()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync(["--Scheduler:RejectedQueue:Ttl=00:00:03"]);
        for (var i = 0; i < 20; i++)
        {
            await system.PublishAsync(Encoding.UTF8.GetBytes($"not json {i}"));
        }

        await WaitForRejectedCountAsync(system, 20);
        await Eventually.That(
            async () => await system.CountMessagesAsync(system.Topology.RejectedQueue) == 0,
            TimeSpan.FromSeconds(60),
            "rejected copies to be dropped once older than Scheduler:RejectedQueue:Ttl");
    }

    [Test]
    public async Task Heartbeats_SentWhileTheSchedulerIsStopped_ExpireInsteadOfPilingUp()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorker("steady", extraArgs: ["--Worker:HeartbeatTtl=00:00:02"]);
        await system.WaitForWorkersAsync("steady");
        system.Scheduler!.Terminate();
        Assert.That(await system.Scheduler.WaitForExitAsync(TimeSpan.FromSeconds(60)), Is.True, "the scheduler stops");

        // Four heartbeats a second for 12 s would leave about 48 messages; with a TTL of 2 s about eight are alive at
        // any moment. The queue is watched throughout, as an operator's graph would show it.
        // A watch over a fixed period, not a wait: the test asserts what the queue never holds during it.
        var counts = new List<uint>();
        var watched = System.Diagnostics.Stopwatch.StartNew();
        while (watched.Elapsed < TimeSpan.FromSeconds(12))
        {
            counts.Add(await system.CountMessagesAsync(system.Topology.SchedulerEventsQueue));
            await Task.Delay(250);
        }

        await TestContext.Out.WriteLineAsync($"heartbeats waiting while the scheduler was stopped: {string.Join(" ", counts)}");
        await system.StartSchedulerAsync();
        await system.WaitForWorkersAsync("steady");
        await using var events = await system.RecordEventsAsync();
        var task = Tasks.New();
        await system.SubmitAsync(task);
        await events.WaitForFinalAsync([task.Id], TimeSpan.FromMinutes(1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(counts.Max(), Is.GreaterThan(0), "the worker kept heartbeating into the queue");
            Assert.That(counts.Max(), Is.LessThanOrEqualTo(20), "heartbeats older than Worker:HeartbeatTtl are gone");
            Assert.That(counts.TakeLast(8), Is.All.LessThanOrEqualTo(20), "and stay gone");
            Assert.That(events.Finals()[task.Id].State, Is.EqualTo(TaskState.Completed), "the worker is heard again and works");
        }
    }

    [Test]
    public async Task QueuesDeclaredByAnOlderVersion_WithoutBounds_AreUsedAsTheyAre_WithAWarning()
    {
        await using var system = await TestSystem.CreateAsync();
        await using (var channel = await system.Connection.CreateChannelAsync())
        {
            foreach (var queue in new[] { system.Topology.RejectedQueue, system.Topology.WorkerQueue("old"), system.Topology.WorkerControlQueue("old") })
            {
                await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            }
        }

        await system.StartSchedulerAsync();
        var worker = system.StartWorker("old");
        await system.WaitForWorkersAsync("old");
        await system.PublishAsync(Encoding.UTF8.GetBytes("not json"));
        await WaitForRejectedCountAsync(system, 1);
        await using var events = await system.RecordEventsAsync();
        var task = Tasks.New();
        await system.SubmitAsync(task);
        await events.WaitForFinalAsync([task.Id], TimeSpan.FromMinutes(1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(system.Scheduler!.ReadLog(), Does.Contain($"Queue '{system.Topology.RejectedQueue}' exists without the bounds"));
            Assert.That(worker.ReadLog(), Does.Contain($"Queue '{system.Topology.WorkerQueue("old")}' exists without the bounds"));
            Assert.That(await system.CountMessagesAsync(system.Topology.RejectedQueue), Is.EqualTo(1), "rejected copies still land there");
            Assert.That(events.Finals()[task.Id].State, Is.EqualTo(TaskState.Completed), "the worker runs on its old queues");
        }
    }

    private static async Task WaitForRejectedCountAsync(TestSystem system, int count)
    {
        await Eventually.That(
            async () => (await system.GetCountersAsync()).GetProperty("rejected").GetInt64() >= count,
            TimeSpan.FromSeconds(90),
            $"the scheduler to reject all {count} bad submissions");
    }
}
