using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TaskScheduler.Cli.Broker;
using TaskScheduler.Cli.Graph;
using TaskScheduler.Contracts;

namespace TaskScheduler.Cli.Commands;

/// <summary>
/// The <c>--graph</c> form of <c>tasks submit</c>: the whole graph goes out as one message (a JSON array), so the
/// scheduler accepts all of it or none; with <c>--wait</c>, follows every task of it to its end.
/// </summary>
public static class SubmitGraphCommand
{
    public static async Task<int> RunAsync(ParseResult result, GraphSubmission graph, bool wait, TimeSpan timeout, Output output, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(graph.Tasks.ToArray(), WireJson.Default.SubmitTaskArray);
        await using var broker = await BrokerClient.ConnectAsync(result.GetValue(GlobalOptions.Broker)!, result.GetValue(GlobalOptions.Prefix)!, ct);
        var events = wait ? await broker.WatchAsync(null, ct) : null;
        await broker.SubmitAsync(body, ct);

        var names = new StringBuilder();
        foreach (var (name, id) in graph.Names)
        {
            names.AppendLine(CultureInfo.InvariantCulture, $"{id}  {name}");
        }

        if (events is null)
        {
            output.Result(names.ToString().TrimEnd(), new { ids = graph.Names, state = "submitted" });
            return ExitCodes.Ok;
        }

        output.Progress($"submitted {graph.Tasks.Count} tasks as one graph");
        return await FollowAsync(graph, events, timeout, output, ct);
    }

    private static async Task<int> FollowAsync(
        GraphSubmission graph, System.Threading.Channels.ChannelReader<TaskEvent> events, TimeSpan timeout, Output output, CancellationToken ct)
    {
        var nameOf = graph.Names.ToDictionary(p => p.Value, p => p.Key);
        var finals = new Dictionary<Guid, TaskEvent>();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await foreach (var e in events.ReadAllAsync(deadline.Token))
            {
                if (!nameOf.TryGetValue(e.TaskId, out var name) || !finals.TryAdd(e.TaskId, e))
                {
                    continue;
                }

                output.Progress($"{e.At:HH:mm:ss.fff} {name} {e.Kind}{(e.Error is null ? "" : $": {e.Error}")}");
                if (e.Kind == Topology.RejectedKind)
                {
                    // One graph, one verdict: a rejection concerns every task of it.
                    throw new CliException(ExitCodes.Rejected, $"the graph was rejected: {e.Error}");
                }

                if (finals.Count == nameOf.Count)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Timeout, $"{nameOf.Count - finals.Count} of {nameOf.Count} tasks did not finish within {timeout}; they go on");
        }

        var text = new StringBuilder();
        foreach (var (id, name) in nameOf)
        {
            var e = finals[id];
            text.AppendLine(CultureInfo.InvariantCulture, $"{id}  {name}  {e.Kind}{(e.Error is null ? "" : $": {e.Error}")}");
        }

        output.Result(
            text.ToString().TrimEnd(),
            nameOf.Select(p => new { id = p.Key, name = p.Value, state = finals[p.Key].Kind, error = finals[p.Key].Error }).ToArray());
        return finals.Values.All(e => e.State == TaskState.Completed) ? ExitCodes.Ok : ExitCodes.TaskFailed;
    }
}
