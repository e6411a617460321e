using System.CommandLine;
using System.Text;
using TaskScheduler.Bench;
using TaskScheduler.Cli.Graph;
using TaskScheduler.Cli.Invocation;
using TaskScheduler.Client;
using TaskScheduler.Client.Events;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Cli.Commands;

/// <summary>
/// <c>tasks submit [PAYLOAD|@FILE|-] [--priority N] [--id UUID] [--depends-on ID...] [--max-retries N] [--timeout T]
/// [--at TIME | --in DURATION] [--requires TAG...] [--group NAME] [--wait]</c>,
/// or <c>tasks submit --graph FILE.json [--wait]</c>, or <c>tasks submit --file TASKS.jsonl [--batch-size N]</c>.
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
        var wait = new Option<bool>("--wait", "-w")
        {
            Description = "Follow the task to its end: print its result alone on standard output, the steps on standard error; fail if it does",
        };
        var timeout = new Option<string?>("--timeout")
        {
            Description = "How long one attempt may run before it fails (90s, 5m, PT5M, 00:05:00; default: the worker's)",
        };
        var waitTimeout = TaskFollowOutput.WaitTimeoutOption("Give up waiting after this long (with --wait: 30s, 10m, 2h, 00:30:00); the task goes on");

        var dependsOn = new Option<string[]>("--depends-on")
        {
            Description = "Ids of tasks that must complete first (repeat it, or list several)",
            AllowMultipleArgumentsPerToken = true,
        };
        var maxRetries = new Option<int>("--max-retries") { Description = "Retry a failed run up to N times, with exponential backoff (default 0)" };
        var at = new Option<string?>("--at") { Description = "Start no earlier than this UTC time (2026-12-01T02:00:00Z); the task waits until then" };
        var delay = new Option<string?>("--in") { Description = "Start no earlier than this long after acceptance (90s, 5m, 2h, 1d)" };
        var requires = new Option<string[]>("--requires")
        {
            Description = "Worker tags the task needs (gpu, eu-west): it runs only on a worker that has them all",
            AllowMultipleArgumentsPerToken = true,
        };
        var group = new Option<string?>("--group") { Description = "The tenant group the task belongs to, for fair share between groups" };
        var graph = new Option<string?>("--graph")
        {
            Description = "Submit a graph from a JSON file: an array of tasks whose ids may be names that dependsOn refers to; all or nothing",
        };

        var jsonl = new Option<string?>("--file", "-f")
        {
            Description = "Submit the independent tasks of a JSONL file (one task object a line; - for standard input), each accepted or refused on its own",
        };
        var batchSize = new Option<int>("--batch-size")
        {
            Description = $"With --file: tasks to a message (1 to {Contracts.Limits.DefaultMaxBatchTasks}; default 100)",
            DefaultValueFactory = _ => 100,
        };

        var command = new Command("submit", "Submit a task, a graph of tasks, or a file of tasks, through the broker")
        {
            payload, priority, id, dependsOn, maxRetries, timeout, at, delay, requires, group, graph, jsonl, batchSize, wait, waitTimeout,
        };
        command.SetAction((result, ct) => CliRunner.RunAsync(result, async output =>
        {
            if (result.GetValue(graph) is { } file)
            {
                if (result.GetValue(payload) is not null || result.GetValue(id) is not null || result.GetValue(dependsOn) is { Length: > 0 }
                    || result.GetValue(timeout) is not null)
                {
                    throw new CliException(ExitCodes.Usage, "--graph takes its tasks from the file: give no payload, --id, --depends-on or --timeout with it");
                }

                return await SubmitGraphCommand.RunAsync(result, GraphFile.Read(file), result.GetValue(wait), result.GetValue(waitTimeout), output, ct);
            }

            if (result.GetValue(jsonl) is { } lines)
            {
                if (result.GetValue(payload) is not null || result.GetValue(id) is not null || result.GetValue(graph) is not null || result.GetValue(wait))
                {
                    throw new CliException(ExitCodes.Usage, "--file takes its tasks from the file: give no payload, --id, --graph or --wait with it");
                }

                if (result.GetValue(batchSize) is < 1 or > Contracts.Limits.DefaultMaxBatchTasks)
                {
                    throw new CliException(ExitCodes.Usage, $"--batch-size must be from 1 to {Contracts.Limits.DefaultMaxBatchTasks}");
                }

                return await SubmitFileCommand.RunAsync(result, lines, result.GetValue(batchSize), result.GetValue(waitTimeout), output, ct);
            }

            if (result.GetValue(maxRetries) is < 0)
            {
                throw new CliException(ExitCodes.Usage, "--max-retries must be 0 or more");
            }

            TimeSpan? attemptTimeout = null;
            if (result.GetValue(timeout) is { } text)
            {
                attemptTimeout = TimeoutText.TryParse(text, out var parsed, out var problem) ? parsed : throw new CliException(ExitCodes.Usage, problem!);
            }

            var task = new SubmitTask(ParseId(result.GetValue(id)), await ReadPayloadAsync(result.GetValue(payload), ct), result.GetValue(priority))
            {
                DependsOn = result.GetValue(dependsOn) is { Length: > 0 } ids ? [.. ids.Select(ParseDependency)] : null,
                MaxRetries = result.GetValue(maxRetries),
                Timeout = attemptTimeout,
                RunAt = ParseAt(result.GetValue(at)),
                Delay = ParseIn(result.GetValue(delay)),
                Requires = result.GetValue(requires) is { Length: > 0 } tags ? tags : null,
                Group = result.GetValue(group),
            };
            if (task.RunAt is not null && task.Delay is not null)
            {
                throw new CliException(ExitCodes.Usage, "give --at or --in, not both");
            }

            await using var client = ClientFactory.Create(result);
            if (!result.GetValue(wait))
            {
                await client.SubmitAsync(task, ct);
                output.Result(task.Id.ToString(), new { id = task.Id, state = "submitted" });
                return ExitCodes.Ok;
            }

            output.Progress($"submitting {task.Id}");
            return await TaskFollowOutput.RunAsync(task.Id, token => client.SubmitAndWatchAsync(task, token), result.GetValue(waitTimeout), output, ct);
        }));
        return command;
    }

    private static DateTimeOffset? ParseAt(string? text) =>
        text is null ? null
        : DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
            ? at.ToUniversalTime()
            : throw new CliException(ExitCodes.Usage, $"--at takes a UTC time such as 2026-12-01T02:00:00Z, not '{text}'");

    private static TimeSpan? ParseIn(string? text) =>
        text is null ? null
        : DurationText.TryParse(text, out var value) ? value
        : throw new CliException(ExitCodes.Usage, $"--in takes a duration such as 90s, 5m, 2h or 1d, not '{text}'");

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
