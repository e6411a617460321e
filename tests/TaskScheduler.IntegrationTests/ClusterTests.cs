using System.Net.Http.Json;
using System.Text.Json.Nodes;
using RabbitMQ.Client.Exceptions;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>The system on a three-node RabbitMQ cluster of its own, with quorum queues, losing a node under load.</summary>
[TestFixture]
[Category("integration")]
[Category("cluster")]
// Alone, not beside other fixtures: it starts its own RabbitMQ cluster and kills a node.
[NonParallelizable]
public class ClusterTests
{
    private static readonly string[] Quorum = ["--Broker:QueueType=quorum"];

    /// <summary>
    /// The node killed is the one leading the scheduler's submit queue. The scheduler declared its queues over its
    /// own connection, and quorum queues are led by the declaring connection's node, so this is the node the
    /// scheduler talks to: the hardest node to lose. Its connection drops mid-load, every queue it led elects a new
    /// leader on the two survivors, and scheduler, workers and this test's producer all fail over.
    /// </summary>
    [Test]
    [CancelAfter(300_000)]
    public async Task KillingTheNodeTheSchedulerUses_LosesNoAcceptedTask_AndTheSystemKeepsServing(CancellationToken ct)
    {
        var directory = Path.Combine(TestContext.CurrentContext.WorkDirectory, "clusters");
        await using var cluster = await RabbitCluster.StartAsync(directory);
        await using var system = await TestSystem.CreateAsync(cluster.Url);
        await system.StartSchedulerAsync(Quorum);
        string[] workers = ["c1", "c2", "c3"];
        foreach (var id in workers)
        {
            system.StartWorker(id, capacity: 4, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(100), extraArgs: Quorum);
        }

        await system.WaitForWorkersAsync(workers);
        var victim = await cluster.LeaderOfAsync(system.Topology.SubmitQueue, cluster.Nodes[0]);
        var survivor = cluster.Nodes.First(n => n != victim);

        // A third of the load is accepted before the kill, the rest while the cluster fails over.
        var beforeKill = Tasks.Many(300, i => i % 3);
        await SubmitReliablyAsync(system, beforeKill.Take(100), ct);
        var submitting = SubmitReliablyAsync(system, beforeKill.Skip(100), ct);
        await victim.Kill9Async();
        await submitting;
        await WaitForCompletedAsync(system, beforeKill.Count);

        // And it keeps serving on the two survivors.
        var afterKill = Tasks.Many(100, _ => 5);
        await SubmitReliablyAsync(system, afterKill, ct);
        await WaitForCompletedAsync(system, beforeKill.Count + afterKill.Count);

        var notCompleted = new List<string>();
        foreach (var task in beforeKill.Concat(afterKill))
        {
            var status = await system.GetTaskAsync(task.Id);
            if (status?.State != TaskState.Completed)
            {
                notCompleted.Add($"{task.Id}: {status?.State.ToString() ?? "unknown"}");
            }
        }

        var running = await RabbitCluster.RunningNodesAsync(survivor);
        var newLeader = await cluster.LeaderOfAsync(system.Topology.SubmitQueue, survivor);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(notCompleted, Is.Empty, "accepted tasks that did not complete");
            Assert.That(running, Has.Count.EqualTo(2).And.No.Member(victim.Name), "nodes still running");
            Assert.That(newLeader, Is.Not.SameAs(victim), "the submit queue's leader after the kill");
            Assert.That(system.Scheduler!.HasExited, Is.False, "the scheduler is still running");
        }
    }

    /// <summary>
    /// Publishes each task until the broker confirms it, as a careful producer does: a publish that fails while the
    /// cluster fails over is sent again with the same id, which the scheduler takes as one task.
    /// </summary>
    private static async Task SubmitReliablyAsync(TestSystem system, IEnumerable<SubmitTask> tasks, CancellationToken ct)
    {
        foreach (var window in tasks.Chunk(50))
        {
            await Task.WhenAll(window.Select(async task =>
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await system.SubmitAsync(task);
                        return;
                    }
                    catch (Exception e) when (attempt < 120 && e is AlreadyClosedException or OperationInterruptedException or PublishException or IOException)
                    {
                        await Task.Delay(250, ct);
                    }
                }
            }));
        }
    }

    /// <summary>Waits until the scheduler counts <paramref name="count"/> completed tasks since it started.</summary>
    private static async Task WaitForCompletedAsync(TestSystem system, int count) =>
        await Eventually.Returns(
            async () => (await system.Api.GetFromJsonAsync<JsonObject>(new Uri("/api/stats", UriKind.Relative)))!["counters"]!["completed"]!.GetValue<long>(),
            completed => completed >= count,
            TimeSpan.FromSeconds(120),
            $"{count} completed tasks",
            completed => $"{completed}\n{system.Scheduler!.ReadLog()[^3000..]}");
}
