using System.CommandLine;
using System.Text;
using TaskScheduler.Cli.Broker;
using TaskScheduler.Cli.Graph;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Cli.Commands;

/// <summary>
/// <c>tasks submit [PAYLOAD|@FILE|-] [--priority N] [--id UUID] [--depends-on ID...] [--max-retries N] [--wait]</c>, or
/// <c>tasks submit --graph FILE.json [--wait]</c>.
/// </summary>
public static class SubmitCommand
{
    public static Command Create()
    {
        var payload = new Argument<string?>("payload")
        {
            Description = "The payload text, @FILE to read a file, or - (or nothing, with input piped) to read standard input",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var priority = new Option<int>("--priority", "-p") { Description = "Higher runs first (default 0)" };
        var id = new Option<string?>("--id") { Description = "The task's UUIDv4 (default: a new one)" };
        var wait = new Option<bool>("--wait", "-w") { Description = "Follow the task until it completes or fails" };
        var timeout = new Option<TimeSpan>("--timeout")
        {
            Description = "Give up waiting after this long (with --wait)",
            DefaultValueFactory = _ => TimeSpan.FromMinutes(30),
        };

        var dependsOn = new Option<string[]>("--depends-on")
        {
            Description = "Ids of tasks that must complete first (repeat it, or list several)",
            AllowMultipleArgumentsPerToken = true,
        };
        var maxRetries = new Option<int>("--max-retries") { Description = "Retry a failed run up to N times, with exponential backoff (default 0)" };
        var graph = new Option<string?>("--graph")
        {
            Description = "Submit a graph from a JSON file: an array of tasks whose ids may be names that dependsOn refers to; all or nothing",
        };

        var command = new Command("submit", "Submit a task, or a graph of tasks, through the broker")
        {
            payload, priority, id, dependsOn, maxRetries, graph, wait, timeout,
        };
        command.SetAction((result, ct) => CliRunner.RunAsync(result, async output =>
        {
            if (result.GetValue(graph) is { } file)
            {
                if (result.GetValue(payload) is not null || result.GetValue(id) is not null || result.GetValue(dependsOn) is { Length: > 0 })
                {
                    throw new CliException(ExitCodes.Usage, "--graph takes its tasks from the file: give no payload, --id or --depends-on with it");
                }

                return await SubmitGraphCommand.RunAsync(result, GraphFile.Read(file), result.GetValue(wait), result.GetValue(timeout), output, ct);
            }

            if (result.GetValue(maxRetries) is < 0)
            {
                throw new CliException(ExitCodes.Usage, "--max-retries must be 0 or more");
            }

            var task = new SubmitTask(ParseId(result.GetValue(id)), await ReadPayloadAsync(result.GetValue(payload), ct), result.GetValue(priority))
            {
                DependsOn = result.GetValue(dependsOn) is { Length: > 0 } ids ? [.. ids.Select(ParseDependency)] : null,
                MaxRetries = result.GetValue(maxRetries),
            };
            await using var broker = await BrokerClient.ConnectAsync(result.GetValue(GlobalOptions.Broker)!, result.GetValue(GlobalOptions.Prefix)!, ct);
            if (!result.GetValue(wait))
            {
                await broker.SubmitAsync(task, ct);
                output.Result(task.Id.ToString(), new { id = task.Id, state = "submitted" });
                return ExitCodes.Ok;
            }

            var events = await broker.WatchAsync(task.Id, ct);
            await broker.SubmitAsync(task, ct);
            output.Progress($"submitted {task.Id}");
            return await FollowAsync(task.Id, events, result.GetValue(timeout), output, ct);
        }));
        return command;
    }

    private static async Task<int> FollowAsync(Guid id, System.Threading.Channels.ChannelReader<TaskEvent> events, TimeSpan timeout, Output output, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await foreach (var e in events.ReadAllAsync(deadline.Token))
            {
                var where = e.WorkerId is null ? "" : $" on {e.WorkerId} (attempt {e.Attempt})";
                output.Progress($"{e.At:HH:mm:ss.fff} {e.Kind}{where}{(e.Error is null ? "" : $": {e.Error}")}");
                if (!e.IsFinal)
                {
                    continue;
                }

                output.Result(e.Kind, new { id, state = e.Kind, worker = e.WorkerId, attempt = e.Attempt, error = e.Error });
                return e.State == TaskState.Completed ? ExitCodes.Ok : e.State is null ? ExitCodes.Rejected : ExitCodes.TaskFailed;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Fall through to the timeout below.
        }

        throw new CliException(ExitCodes.Timeout, $"task {id} did not finish within {timeout}; it goes on, see `tasks status {id}`");
    }

    private static Guid ParseDependency(string text) =>
        Guid.TryParse(text, out var id) ? id : throw new CliException(ExitCodes.Usage, $"--depends-on takes task ids (UUIDs), not '{text}'");

    private static Guid ParseId(string? text)
    {
        if (text is null)
        {
            return Guid.NewGuid();
        }

        if (!Guid.TryParse(text, out var id) || id.Version != 4)
        {
            throw new CliException(ExitCodes.Usage, $"--id must be a version-4 UUID, not '{text}'");
        }

        return id;
    }

    private static async Task<string> ReadPayloadAsync(string? argument, CancellationToken ct)
    {
        string payload;
        if (argument is null or "-")
        {
            if (argument is null && !Console.IsInputRedirected)
            {
                throw new CliException(ExitCodes.Usage, "give a payload, @FILE, or pipe it on standard input");
            }

            payload = await Console.In.ReadToEndAsync(ct);
        }
        else if (argument.StartsWith('@'))
        {
            var path = argument[1..];
            if (!File.Exists(path))
            {
                throw new CliException(ExitCodes.Usage, $"no such file: {path}");
            }

            payload = await File.ReadAllTextAsync(path, ct);
        }
        else
        {
            payload = argument;
        }

        var bytes = Encoding.UTF8.GetByteCount(payload);
        if (bytes > Limits.MaxPayloadBytes)
        {
            throw new CliException(ExitCodes.Usage, $"the payload is {bytes} bytes; the limit is {Limits.MaxPayloadBytes} (1 MiB)");
        }

        return payload;
    }
}
