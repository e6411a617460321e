using System.CommandLine;
using TaskScheduler.Bench;
using TaskScheduler.Cli.Invocation;
using TaskScheduler.Client;
using TaskScheduler.Client.Events;

namespace TaskScheduler.Cli.Commands;

/// <summary>How <c>tasks submit --wait</c> and <c>tasks wait</c> follow a task to its end.</summary>
internal static class TaskFollowOutput
{
    /// <summary><c>--wait-timeout</c>: a positive duration, 30 minutes unless given.</summary>
    public static Option<TimeSpan> WaitTimeoutOption(string description) => DurationOption("--wait-timeout", description, TimeSpan.FromMinutes(30), positive: true);

    /// <summary>An option taking a duration (30s, 10m, 00:30:00), <paramref name="defaultValue"/> unless given; zero only when not <paramref name="positive"/>.</summary>
    public static Option<TimeSpan> DurationOption(string name, string description, TimeSpan defaultValue, bool positive) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (DurationText.TryParse(text, out var value) && (value > TimeSpan.Zero || !positive))
            {
                return value;
            }

            r.AddError($"{name} takes a duration such as 30s, 10m or 00:30:00, not '{text}'");
            return default;
        },
    };

    /// <summary>
    /// Each step on standard error, and at the end the result alone on standard output (so <c>r=$(tasks submit ...
    /// --wait)</c> is the result), or the error on standard error and a failing exit code.
    /// </summary>
    public static async Task<int> RunAsync(
        Guid id, Func<CancellationToken, IAsyncEnumerable<TaskEvent>> follow, TimeSpan timeout, Output output, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await foreach (var e in follow(deadline.Token))
            {
                var where = e.WorkerId is null ? "" : $" on {e.WorkerId} (attempt {e.Attempt})";
                var kind = TaskEventDecoder.WireName(e.Kind);
                output.Progress($"{e.At:HH:mm:ss.fff} {kind}{where}{(e.Error is null || e.Kind == TaskEventKind.Rejected ? "" : $": {e.Error}")}");
                if (!e.IsFinal && e.Kind != TaskEventKind.Rejected)
                {
                    continue;
                }

                var json = new { id, state = kind, worker = e.WorkerId, attempt = e.Attempt, error = e.Error, result = e.Result };
                switch (e.Kind)
                {
                    case TaskEventKind.Completed:
                        output.Raw(e.Result, json);
                        return ExitCodes.Ok;
                    case TaskEventKind.Rejected:
                        output.Raw(null, json);
                        Output.Error($"task {id} was rejected: {e.Error}");
                        return ExitCodes.Rejected;
                    default:
                        output.Raw(null, json);
                        Output.Error($"task {id} {(e.Kind == TaskEventKind.Cancelled ? "was cancelled" : "failed")}{(e.Error is null ? "" : $": {e.Error}")}");
                        return ExitCodes.TaskFailed;
                }
            }
        }
        catch (TaskNotFoundException e)
        {
            throw new CliException(ExitCodes.NotFound, e.Message);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Fall through to the timeout below.
        }

        throw new CliException(ExitCodes.Timeout, $"task {id} did not finish within {timeout}; it goes on, see `tasks status {id}`");
    }
}
