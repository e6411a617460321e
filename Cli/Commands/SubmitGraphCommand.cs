using System.CommandLine;
using System.Globalization;
using System.Text;
using TaskScheduler.Cli.Graph;
using TaskScheduler.Cli.Invocation;
using TaskScheduler.Client;
using TaskScheduler.Client.Events;

namespace TaskScheduler.Cli.Commands;

/// <summary>
/// The <c>--graph</c> form of <c>tasks submit</c>: the whole graph goes out as one message (a JSON array), so the
/// scheduler accepts all of it or none; with <c>--wait</c>, follows every task of it to its end.
/// </summary>
public static class SubmitGraphCommand
{
    public static async Task<int> RunAsync(ParseResult result, GraphSubmission graph, bool wait, TimeSpan timeout, Output output, CancellationToken ct)
    {
        await using var client = ClientFactory.Create(result);
        if (!wait)
        {
            await client.SubmitGraphAsync(graph.Tasks, ct);
            var names = new StringBuilder();
            foreach (var (name, id) in graph.Names)
            {
                names.AppendLine(CultureInfo.InvariantCulture, $"{id}  {name}");
            }

            output.Result(names.ToString().TrimEnd(), new { ids = graph.Names, state = "submitted" });
            return ExitCodes.Ok;
        }

        output.Progress($"submitting {graph.Tasks.Count} tasks as one graph");
        return await FollowAsync(client, graph, timeout, output, ct);
    }

    private static async Task<int> FollowAsync(ITaskSchedulerClient client, GraphSubmission graph, TimeSpan timeout, Output output, CancellationToken ct)
    {
        var nameOf = graph.Names.ToDictionary(p => p.Value, p => p.Key);
        var ends = new Dictionary<Guid, TaskEnd>();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await foreach (var end in client.SubmitGraphAndWaitAsync(graph.Tasks, deadline.Token))
            {
                if (end.Kind == TaskEventKind.Rejected)
                {
                    // One graph, one verdict: a rejection concerns every task of it.
                    throw new CliException(ExitCodes.Rejected, $"the graph was rejected: {end.Error}");
                }

                ends[end.TaskId] = end;
                output.Progress($"{end.At:HH:mm:ss.fff} {nameOf[end.TaskId]} {Describe(end)}");
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Timeout, $"{nameOf.Count - ends.Count} of {nameOf.Count} tasks did not finish within {timeout}; they go on");
        }

        var text = new StringBuilder();
        foreach (var (id, name) in nameOf)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{id}  {name}  {Describe(ends[id])}");
        }

        output.Result(
            text.ToString().TrimEnd(),
            nameOf.Select(p => new
            {
                id = p.Key,
                name = p.Value,
                state = TaskEventDecoder.WireName(ends[p.Key].Kind),
                error = ends[p.Key].Error,
                result = ends[p.Key].Result,
            }).ToArray());
        return ends.Values.All(e => e.IsCompleted) ? ExitCodes.Ok : ExitCodes.TaskFailed;
    }

    private static string Describe(TaskEnd end) => $"{TaskEventDecoder.WireName(end.Kind)}{(end.Error is null ? "" : $": {end.Error}")}";
}
