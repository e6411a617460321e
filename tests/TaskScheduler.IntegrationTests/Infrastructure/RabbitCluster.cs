using System.Text.Json;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>
/// A RabbitMQ cluster of a test's own: <see cref="RabbitNode"/>s on loopback sharing an Erlang cookie, joined the
/// way an operator joins them (<c>stop_app</c>, <c>join_cluster</c>, <c>start_app</c>). The shared broker is never
/// touched.
/// </summary>
public sealed class RabbitCluster : IAsyncDisposable
{
    private RabbitCluster(IReadOnlyList<RabbitNode> nodes) => Nodes = nodes;

    public IReadOnlyList<RabbitNode> Nodes { get; }

    /// <summary>Every node's URL separated by commas: the form Broker:Url takes for a cluster.</summary>
    public string Url => string.Join(',', Nodes.Select(n => n.Url));

    public static async Task<RabbitCluster> StartAsync(string directory, int size = 3, IEnumerable<string>? settings = null)
    {
        var cookie = Guid.NewGuid().ToString("N");
        var config = settings?.ToList() ?? [];
        var nodes = new List<RabbitNode>();
        try
        {
            // One after another: on a 2-core machine three Erlang VMs booting at once only slow each other down.
            for (var i = 0; i < size; i++)
            {
                nodes.Add(await RabbitNode.StartNewAsync(directory, config, cookie));
            }

            var cluster = new RabbitCluster(nodes);
            foreach (var node in nodes.Skip(1))
            {
                await node.CtlOrFailAsync("stop_app");
                await node.CtlOrFailAsync("join_cluster", nodes[0].Name);
                await node.CtlOrFailAsync("start_app");
            }

            var running = await RunningNodesAsync(nodes[0]);
            Assert.That(running, Is.EquivalentTo(nodes.Select(n => n.Name)), "nodes running in the cluster");
            return cluster;
        }
        catch
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>The nodes the cluster reports running, asked through <paramref name="via"/>.</summary>
    public static async Task<IReadOnlyList<string>> RunningNodesAsync(RabbitNode via)
    {
        var output = await via.CtlOrFailAsync("cluster_status", "--formatter", "json");
        using var status = JsonDocument.Parse(output);
        return [.. status.RootElement.GetProperty("running_nodes").EnumerateArray().Select(n => n.GetString()!)];
    }

    /// <summary>The node that leads a quorum queue, asked through <paramref name="via"/>.</summary>
    public async Task<RabbitNode> LeaderOfAsync(string queue, RabbitNode via)
    {
        var output = await via.CtlOrFailAsync("list_queues", "--quiet", "name", "type", "leader", "--formatter", "json");
        using var queues = JsonDocument.Parse(output);
        var entry = queues.RootElement.EnumerateArray().Single(q => q.GetProperty("name").GetString() == queue);
        Assert.That(entry.GetProperty("type").GetString(), Is.EqualTo("quorum"), $"type of {queue}");
        var leader = entry.GetProperty("leader").GetString();
        return Nodes.Single(n => n.Name == leader);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }
}
