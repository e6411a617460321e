using System.Text;
using System.Text.Json;
using TaskScheduler.Cli.Invocation;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Cli.Graph;

/// <summary>
/// Reads a graph of tasks from a JSON file: an array of tasks in the wire format, where an <c>id</c> may also be a
/// name (any text that is not a UUID), which <c>dependsOn</c> entries of the same file refer to. Names become fresh
/// UUIDs; UUIDs are kept, so a file can also depend on tasks submitted before. Problems the file alone shows (an
/// unknown name, a name used twice, a cycle) are reported here, before anything is sent.
/// </summary>
public static class GraphFile
{
    public static GraphSubmission Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException(ExitCodes.Usage, $"no such file: {path}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new CliException(ExitCodes.Usage, $"{path}: malformed JSON: {e.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.GetArrayLength() == 0)
            {
                throw new CliException(ExitCodes.Usage, $"{path}: a graph file is a non-empty JSON array of tasks");
            }

            var entries = document.RootElement.EnumerateArray().Select((e, i) => ReadEntry(path, i, e)).ToList();
            var names = new Dictionary<string, Guid>(StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                if (!names.TryAdd(entry.Name, entry.Id))
                {
                    throw new CliException(ExitCodes.Usage, $"{path}: more than one task is called '{entry.Name}'");
                }
            }

            var tasks = entries.Select(e => new SubmitTask(e.Id, e.Payload, e.Priority)
            {
                DependsOn = [.. e.DependsOn.Select(d => Resolve(path, e.Name, d, names))],
                MaxRetries = e.MaxRetries,
                Timeout = e.Timeout,
            }).ToList();
            CheckForCycle(path, tasks, names);
            return new GraphSubmission(tasks, names);
        }
    }

    private static Entry ReadEntry(string path, int index, JsonElement element)
    {
        string Where() => $"{path}: task {index}";
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new CliException(ExitCodes.Usage, $"{Where()} is not a JSON object");
        }

        var name = element.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : $"#{index}";
        var taskId = Guid.TryParse(name, out var given) ? given : Guid.NewGuid();
        if (taskId.Version != 4)
        {
            throw new CliException(ExitCodes.Usage, $"{Where()}: id '{name}' is a UUID but not version 4");
        }

        if (!element.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.String)
        {
            throw new CliException(ExitCodes.Usage, $"{Where()} ('{name}') needs a string 'payload'");
        }

        var text = payload.GetString()!;
        if (Encoding.UTF8.GetByteCount(text) > Limits.MaxPayloadBytes)
        {
            throw new CliException(ExitCodes.Usage, $"{Where()} ('{name}'): the payload is over {Limits.MaxPayloadBytes} bytes (1 MiB)");
        }

        var priority = 0;
        if (element.TryGetProperty("priority", out var p) && p.ValueKind != JsonValueKind.Null && !p.TryGetInt32(out priority))
        {
            throw new CliException(ExitCodes.Usage, $"{Where()} ('{name}'): 'priority' must be an integer");
        }

        var retries = 0;
        if (element.TryGetProperty("maxRetries", out var r) && r.ValueKind != JsonValueKind.Null && (!r.TryGetInt32(out retries) || retries < 0))
        {
            throw new CliException(ExitCodes.Usage, $"{Where()} ('{name}'): 'maxRetries' must be a whole number, 0 or more");
        }

        TimeSpan? timeout = null;
        if (element.TryGetProperty("timeout", out var t) && t.ValueKind != JsonValueKind.Null)
        {
            if (t.ValueKind != JsonValueKind.String || !TimeoutText.TryParse(t.GetString(), out var parsed, out _))
            {
                throw new CliException(ExitCodes.Usage, $"{Where()} ('{name}'): 'timeout' must be a duration such as \"90s\", \"5m\", \"PT5M\" or \"00:05:00\", from 1 ms to 30 days");
            }

            timeout = parsed;
        }

        var dependsOn = new List<string>();
        if (element.TryGetProperty("dependsOn", out var deps) && deps.ValueKind != JsonValueKind.Null)
        {
            if (deps.ValueKind != JsonValueKind.Array || deps.EnumerateArray().Any(d => d.ValueKind != JsonValueKind.String))
            {
                throw new CliException(ExitCodes.Usage, $"{Where()} ('{name}'): 'dependsOn' must be an array of task names or ids");
            }

            dependsOn.AddRange(deps.EnumerateArray().Select(d => d.GetString()!));
        }

        return new Entry(name, taskId, text, priority, dependsOn, retries, timeout);
    }

    private static Guid Resolve(string path, string task, string dependency, Dictionary<string, Guid> names)
    {
        if (names.TryGetValue(dependency, out var id) || Guid.TryParse(dependency, out id))
        {
            return id;
        }

        throw new CliException(ExitCodes.Usage, $"{path}: '{task}' depends on '{dependency}', which is neither a task of this file nor a task id");
    }

    private static void CheckForCycle(string path, List<SubmitTask> tasks, Dictionary<string, Guid> names)
    {
        var inFile = tasks.ToDictionary(t => t.Id);
        var state = new Dictionary<Guid, int>(); // 1 visiting, 2 done
        var nameOf = names.ToDictionary(p => p.Value, p => p.Key);
        foreach (var start in tasks)
        {
            var stack = new Stack<(Guid Id, IEnumerator<Guid> Next)>();
            if (state.ContainsKey(start.Id))
            {
                continue;
            }

            state[start.Id] = 1;
            stack.Push((start.Id, inFile[start.Id].DependsOn!.Where(inFile.ContainsKey).GetEnumerator()));
            while (stack.Count > 0)
            {
                var (id, next) = stack.Peek();
                if (!next.MoveNext())
                {
                    state[id] = 2;
                    stack.Pop();
                    continue;
                }

                var dependency = next.Current;
                if (state.GetValueOrDefault(dependency) == 1)
                {
                    var loop = stack.Select(s => s.Id).TakeWhile(s => s != dependency).Reverse().Prepend(dependency).Append(dependency);
                    throw new CliException(ExitCodes.Usage, $"{path}: dependency cycle: {string.Join(" depends on ", loop.Select(l => nameOf[l]))}");
                }

                if (state.GetValueOrDefault(dependency) == 0)
                {
                    state[dependency] = 1;
                    stack.Push((dependency, inFile[dependency].DependsOn!.Where(inFile.ContainsKey).GetEnumerator()));
                }
            }
        }
    }

    private sealed record Entry(string Name, Guid Id, string Payload, int Priority, List<string> DependsOn, int MaxRetries, TimeSpan? Timeout);
}
