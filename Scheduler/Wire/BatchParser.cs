using System.Globalization;
using System.Text.Json;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.Scheduler.Wire;

/// <summary>
/// Reads a batch submission, <c>{"tasks":[…]}</c>, never throwing. The batch as a whole is refused only when it cannot
/// be a batch (too large, malformed JSON, no <c>tasks</c> array, empty, more tasks than allowed); otherwise every
/// task is read on its own by <see cref="SubmissionParser.TryRead"/>, and one bad task refuses only itself. A task
/// naming an id that an earlier task of the batch has, with other content, is refused; with the same content it is
/// left to the core, which answers duplicate as for a resubmission.
/// </summary>
public static class BatchParser
{
    /// <summary>The batch object and its array, around tasks as deep as a single submission may be.</summary>
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 18 };

    private static readonly JsonDocumentOptions TaskOptions = new() { MaxDepth = 16 };

    /// <summary>
    /// Reads <paramref name="body"/> as a batch of at most <paramref name="maxTasks"/> tasks. With
    /// <paramref name="generateIds"/> (HTTP) a task that names no id gets a new one; otherwise it is refused.
    /// </summary>
    public static bool TryParse(
        ReadOnlyMemory<byte> body, int maxTasks, out IReadOnlyList<BatchEntry>? entries, out InputRejection? rejection, bool generateIds = false)
    {
        entries = null;
        if (body.Length > SubmissionParser.MaxBodyBytes)
        {
            rejection = new InputRejection(null, $"message is {body.Length} bytes; a batch is at most {SubmissionParser.MaxBodyBytes} bytes");
            return false;
        }

        if (!TryFindTasks(body, out var spans, out var problem))
        {
            rejection = new InputRejection(null, problem!);
            return false;
        }

        if (spans.Count > maxTasks)
        {
            rejection = new InputRejection(null, string.Create(CultureInfo.InvariantCulture,
                $"the batch holds {spans.Count:N0} tasks; a batch holds at most {maxTasks:N0} (Scheduler:MaxBatchTasks)"));
            return false;
        }

        var read = new List<BatchEntry>(spans.Count);
        var firstIndex = new Dictionary<Guid, int>();
        foreach (var (start, length) in spans)
        {
            var raw = body.Slice(start, length);
            var entry = ReadTask(read.Count, raw, generateIds);
            if (entry.Task is { } task && !firstIndex.TryAdd(task.Id, entry.Index))
            {
                var first = read[firstIndex[task.Id]].Task!;
                if (first.ContentHash != task.ContentHash || first.Priority != task.Priority)
                {
                    entry = entry with
                    {
                        Task = null,
                        Rejection = new InputRejection(task.Id, $"task {task.Id} appears earlier in this batch (task {firstIndex[task.Id]}) with other content"),
                    };
                }
            }

            read.Add(entry);
        }

        rejection = null;
        entries = read;
        return true;
    }

    private static BatchEntry ReadTask(int index, ReadOnlyMemory<byte> raw, bool generateIds)
    {
        // The span is valid JSON already (the reader walked it); each task is a small document of its own.
        using var document = JsonDocument.Parse(raw, TaskOptions);
        return SubmissionParser.TryRead(document.RootElement, out var task, out var rejection, generateIds ? Guid.NewGuid() : null)
            ? new BatchEntry(index, raw, task, null)
            : new BatchEntry(index, raw, null, rejection);
    }

    /// <summary>
    /// Walks the body once, without building it, to find where each element of <c>tasks</c> starts and ends; other
    /// fields are skipped. Elements are only counted here, so a batch of a million numbers costs a walk, nothing more.
    /// </summary>
    private static bool TryFindTasks(ReadOnlyMemory<byte> body, out List<(int Start, int Length)> spans, out string? problem)
    {
        spans = [];
        var reader = new Utf8JsonReader(body.Span, ReaderOptions);
        var found = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problem = $"a batch is a JSON object {{\"tasks\": [...]}}, not {JsonKinds.Describe(reader.TokenType)}";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("tasks"u8) && !string.Equals(reader.GetString(), "tasks", StringComparison.OrdinalIgnoreCase))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }

                if (found)
                {
                    problem = "field 'tasks' appears more than once";
                    return false;
                }

                found = true;
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    problem = $"field 'tasks' must be an array of tasks, not {JsonKinds.Describe(reader.TokenType)}";
                    return false;
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    spans.Add((start, (int)reader.BytesConsumed - start));
                }
            }

            // Anything after the object is malformed: the reader throws on it.
            reader.Read();
        }
        catch (JsonException e)
        {
            problem = $"malformed JSON: {e.Message}";
            return false;
        }
        catch (InvalidOperationException e)
        {
            problem = $"invalid text in a field name: {e.Message}";
            return false;
        }

        problem = !found ? "a batch names its tasks in field 'tasks' (an array); this object has none"
            : spans.Count == 0 ? "a batch holds at least one task; 'tasks' is empty"
            : null;
        return problem is null;
    }
}
