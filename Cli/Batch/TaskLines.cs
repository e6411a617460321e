using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TaskScheduler.Contracts;

namespace TaskScheduler.Cli.Batch;

/// <summary>
/// Reads a JSONL file of tasks (one task object a line, as on the submit exchange) and cuts it into batches. A line
/// is sent as it is, so the scheduler judges it and says why it refuses it; only a line that is not JSON at all, or
/// larger than any submission, is refused here. A task object without an id gets a new one, as <c>tasks submit</c>
/// gives one.
/// </summary>
public static class TaskLines
{
    /// <summary>Room in a batch's message for its braces and commas.</summary>
    private const int Envelope = 64;

    public static IEnumerable<TaskLine> Read(TextReader reader)
    {
        var number = 0;
        while (reader.ReadLine() is { } text)
        {
            number++;
            if (!string.IsNullOrWhiteSpace(text))
            {
                yield return Prepare(number, text);
            }
        }
    }

    /// <summary>
    /// Groups lines into batches of at most <paramref name="size"/> tasks and no more bytes than a submission may
    /// have; lines refused here travel in the batch they fall in but take no room in its message.
    /// </summary>
    public static IEnumerable<List<TaskLine>> Batches(IEnumerable<TaskLine> lines, int size)
    {
        var batch = new List<TaskLine>();
        var (count, bytes) = (0, Envelope);
        foreach (var line in lines)
        {
            var lineBytes = line.Json is null ? 0 : Encoding.UTF8.GetByteCount(line.Json) + 1;
            if (line.Json is not null && count > 0 && (count == size || bytes + lineBytes > Limits.MaxSubmissionBytes))
            {
                yield return batch;
                (batch, count, bytes) = ([], 0, Envelope);
            }

            batch.Add(line);
            if (line.Json is not null)
            {
                (count, bytes) = (count + 1, bytes + lineBytes);
            }
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    /// <summary>The message of a batch: <c>{"tasks":[…]}</c> of the lines that can be sent.</summary>
    public static byte[] Body(IEnumerable<TaskLine> batch) =>
        Encoding.UTF8.GetBytes($"{{\"tasks\":[{string.Join(",", batch.Where(l => l.Json is not null).Select(l => l.Json))}]}}");

    private static TaskLine Prepare(int number, string text)
    {
        if (Encoding.UTF8.GetByteCount(text) + Envelope > Limits.MaxSubmissionBytes)
        {
            return new TaskLine(number, null, null, $"the line is larger than a submission may be ({Limits.MaxSubmissionBytes} bytes)");
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            return new TaskLine(number, null, null, $"malformed JSON: {e.Message}");
        }

        if (node is not JsonObject task)
        {
            return new TaskLine(number, text, null, null);
        }

        var idField = task.FirstOrDefault(p => string.Equals(p.Key, "id", StringComparison.OrdinalIgnoreCase));
        if (idField.Key is null)
        {
            var id = Guid.NewGuid();
            task["id"] = id.ToString();
            return new TaskLine(number, task.ToJsonString(), id, null);
        }

        var named = idField.Value is JsonValue value && value.TryGetValue<string>(out var s) && Guid.TryParse(s, out var parsed) ? parsed : (Guid?)null;
        return new TaskLine(number, text, named, null);
    }
}
