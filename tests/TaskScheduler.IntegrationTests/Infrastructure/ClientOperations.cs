using TaskScheduler.Client;
using TaskScheduler.Contracts;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>What the client tests do with the client library beyond its own calls.</summary>
public static class ClientOperations
{
    /// <summary>Asks the client for the task's status until it is <paramref name="state"/>.</summary>
    public static Task WaitForStateAsync(this TaskSchedulerClient client, Guid id, TaskState state, CancellationToken ct) =>
        Eventually.That(async () => (await client.GetStatusAsync(id, ct))?.State == state, TimeSpan.FromMinutes(2), $"task {id} to be {state}");

    /// <summary>Everything a watch or a graph wait yields, until it ends.</summary>
    public static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
