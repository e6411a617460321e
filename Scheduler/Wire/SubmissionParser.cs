using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Queueing;

namespace TaskScheduler.Scheduler.Wire;

/// <summary>
/// Reads a submission from raw message bytes and validates it, never throwing: whatever a producer sends becomes
/// either a <see cref="ParsedSubmission"/> (or, for a JSON array, a graph of them) or a
/// <see cref="InputRejection"/> with a reason a person can act on. Field names match case-insensitively;
/// unknown fields are ignored so producers can be newer than us. Over 400 lines because it is the whole submission
/// format in one place, one reader per field with its rules and messages (docs/producers.md documents the same list).
/// </summary>
public static class SubmissionParser
{
    /// <summary>Largest body worth parsing: a maximal payload fully escaped as \uXXXX, plus room for the rest.</summary>
    public const int MaxBodyBytes = Limits.MaxSubmissionBytes;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    /// <summary>
    /// Reads what the submit exchange carries: one task (a JSON object) or a graph (a JSON array of task objects,
    /// accepted or rejected as a whole). Exactly one of <paramref name="task"/> and <paramref name="graph"/> is set
    /// on success. <paramref name="idWhenMissing"/> is the id of a single task that names none (HTTP generates one);
    /// without it, a task must name its id.
    /// </summary>
    public static bool TryParseMessage(
        ReadOnlyMemory<byte> body,
        out ParsedSubmission? task,
        out IReadOnlyList<ParsedSubmission>? graph,
        out InputRejection? rejection,
        Guid? idWhenMissing = null)
    {
        task = null;
        graph = null;
        if (body.Length > MaxBodyBytes)
        {
            rejection = new InputRejection(null, $"message is {body.Length} bytes; a submission is at most {MaxBodyBytes} bytes");
            return false;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException e)
        {
            rejection = new InputRejection(null, $"malformed JSON: {e.Message}");
            return false;
        }

        using (document)
        {
            return document.RootElement.ValueKind == JsonValueKind.Array
                ? TryReadGraph(document.RootElement, out graph, out rejection)
                : TryRead(document.RootElement, out task, out rejection, idWhenMissing);
        }
    }

    /// <summary>Reads a graph: a JSON array of task objects, each valid on its own; how they relate the core judges.</summary>
    public static bool TryReadGraph(JsonElement root, out IReadOnlyList<ParsedSubmission>? graph, out InputRejection? rejection)
    {
        graph = null;
        if (root.ValueKind != JsonValueKind.Array)
        {
            rejection = new InputRejection(null, $"a graph is a JSON array of tasks, not {JsonKinds.Describe(root.ValueKind)}");
            return false;
        }

        var tasks = new List<ParsedSubmission>(root.GetArrayLength());
        var index = 0;
        foreach (var element in root.EnumerateArray())
        {
            if (!TryRead(element, out var task, out var problem))
            {
                rejection = problem! with { Reason = $"graph task {index}: {problem!.Reason}" };
                return false;
            }

            tasks.Add(task!);
            index++;
        }

        if (tasks.Count == 0)
        {
            rejection = new InputRejection(null, "a graph holds at least one task; this array is empty");
            return false;
        }

        rejection = null;
        graph = tasks;
        return true;
    }

    /// <summary>The fields a submission may carry, in the order of <see cref="FieldNames"/>; others are ignored.</summary>
    private enum Field { Id, Payload, Priority, DependsOn, MaxRetries, Timeout, RunAt, Delay, Requires, Group }

    private static readonly string[] FieldNames = [.. Enum.GetNames<Field>().Select(JsonNamingPolicy.CamelCase.ConvertName)];

    /// <summary>Field names are matched ignoring case, as System.Text.Json's case-insensitive binding does.</summary>
    private static readonly FrozenDictionary<string, int> FieldIndex =
        FieldNames.Select((name, index) => (name, index)).ToFrozenDictionary(f => f.name, f => f.index, StringComparer.OrdinalIgnoreCase);

    public static bool TryRead(JsonElement root, out ParsedSubmission? submission, out InputRejection? rejection, Guid? idWhenMissing = null)
    {
        try
        {
            return TryReadFields(root, idWhenMissing, out submission, out rejection);
        }
        catch (InvalidOperationException e)
        {
            // Field values are checked where they are read (TryGetText); this catches the same flaw in a field's
            // name: valid JSON syntax, but invalid UTF-8 or a lone UTF-16 surrogate.
            submission = null;
            rejection = new InputRejection(null, $"invalid text in a string field: {e.Message}");
            return false;
        }
    }

    private static bool TryReadFields(JsonElement root, Guid? idWhenMissing, out ParsedSubmission? submission, out InputRejection? rejection)
    {
        submission = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            rejection = new InputRejection(null, $"a submission is a JSON object, not {JsonKinds.Describe(root.ValueKind)}");
            return false;
        }

        var fields = new JsonElement?[FieldNames.Length];
        string? duplicate = null;
        foreach (var property in root.EnumerateObject())
        {
            if (!FieldIndex.TryGetValue(property.Name, out var index))
            {
                continue;
            }

            if (fields[index] is not null)
            {
                duplicate ??= property.Name.ToLowerInvariant();
                continue;
            }

            fields[index] = property.Value;
        }

        var (idField, payloadField, priorityField, dependsOnField, retriesField) =
            (fields[(int)Field.Id], fields[(int)Field.Payload], fields[(int)Field.Priority], fields[(int)Field.DependsOn], fields[(int)Field.MaxRetries]);
        var (timeoutField, runAtField, delayField, requiresField, groupField) =
            (fields[(int)Field.Timeout], fields[(int)Field.RunAt], fields[(int)Field.Delay], fields[(int)Field.Requires], fields[(int)Field.Group]);

        var id = idWhenMissing ?? Guid.Empty;
        if ((idField is not null || idWhenMissing is null) && !TryReadId(idField, out id, out var idProblem))
        {
            rejection = new InputRejection(null, idProblem!);
            return false;
        }

        if (duplicate is not null)
        {
            rejection = new InputRejection(duplicate == "id" ? null : id, $"field '{duplicate}' appears more than once");
            return false;
        }

        if (!TryReadPayload(payloadField, out var payload, out var payloadBytes, out var payloadProblem))
        {
            rejection = new InputRejection(id, payloadProblem!);
            return false;
        }

        if (!TryReadPriority(priorityField, out var priority, out var priorityProblem))
        {
            rejection = new InputRejection(id, priorityProblem!);
            return false;
        }

        if (!TryReadDependsOn(dependsOnField, out var dependsOn, out var dependsOnProblem))
        {
            rejection = new InputRejection(id, dependsOnProblem!);
            return false;
        }

        if (!TryReadMaxRetries(retriesField, out var maxRetries, out var retriesProblem))
        {
            rejection = new InputRejection(id, retriesProblem!);
            return false;
        }

        if (!TryReadTimeout(timeoutField, out var timeout, out var timeoutProblem))
        {
            rejection = new InputRejection(id, timeoutProblem!);
            return false;
        }

        if (!SubmissionOptionFields.TryReadRunAt(runAtField, out var runAt, out var problem)
            || !SubmissionOptionFields.TryReadDelay(delayField, out var delay, out problem)
            || !SubmissionOptionFields.TryReadRequires(requiresField, out var requires, out problem)
            || !SubmissionOptionFields.TryReadGroup(groupField, out var group, out problem))
        {
            rejection = new InputRejection(id, problem!);
            return false;
        }

        if (runAt is not null && delay is not null)
        {
            rejection = new InputRejection(id, "give 'runAt' or 'delay', not both");
            return false;
        }

        rejection = null;
        var hash = ContentHash(payload!, dependsOn, maxRetries, timeout, SubmissionOptionFields.HashText(runAt, delay, requires, group));
        submission = new ParsedSubmission(id, payload!, priority, hash, payloadBytes)
        {
            DependsOn = dependsOn,
            MaxRetries = maxRetries,
            Timeout = timeout,
            RunAt = runAt,
            Delay = delay,
            Requires = requires,
            Group = group,
        };
        return true;
    }

    /// <summary>A short fingerprint of the payload, to tell a harmless resubmission from a conflicting one.</summary>
    public static string ContentHash(string payload)
    {
        var bytes = Encoding.UTF8.GetBytes(payload);
        return Convert.ToHexString(SHA256.HashData(bytes), 0, 16);
    }

    /// <summary>
    /// The fingerprint of everything that defines a task besides its id and priority: the payload, and for tasks
    /// that have them, the dependencies (in any order), the retries, the timeout and <paramref name="options"/>
    /// (<see cref="SubmissionOptionFields.HashText"/>). A plain task hashes as its payload alone.
    /// </summary>
    public static string ContentHash(string payload, IReadOnlyList<Guid> dependsOn, int maxRetries, TimeSpan? timeout = null, string options = "")
    {
        if (dependsOn.Count == 0 && maxRetries == 0 && timeout is null && options.Length == 0)
        {
            return ContentHash(payload);
        }

        var text = new StringBuilder(payload).Append("\0dependsOn:");
        foreach (var dependency in dependsOn.Order())
        {
            text.Append(dependency.ToString("N")).Append(',');
        }

        text.Append("\0maxRetries:").Append(maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (timeout is { } limit)
        {
            text.Append("\0timeout:").Append(limit.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        text.Append(options);

        return ContentHash(text.ToString());
    }

    private static bool TryReadId(JsonElement? field, out Guid id, out string? problem)
    {
        id = Guid.Empty;
        problem = null;
        if (field is not { } value)
        {
            problem = "missing required field 'id' (a UUIDv4 string)";
            return false;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            problem = $"field 'id' must be a UUIDv4 string, not {JsonKinds.Describe(value.ValueKind)}";
            return false;
        }

        if (!TryGetText(value, "id", out var text, out problem))
        {
            return false;
        }

        if (!Guid.TryParse(text, out id))
        {
            problem = $"field 'id' is not a UUID: '{Truncate(text)}'";
            return false;
        }

        if (id.Version != 4 || (id.Variant & 0xC) != 0x8)
        {
            problem = $"field 'id' must be a version-4 UUID; '{id}' is version {id.Version}";
            id = Guid.Empty;
            return false;
        }

        return true;
    }

    private static bool TryReadPayload(JsonElement? field, out string? payload, out int bytes, out string? problem)
    {
        payload = null;
        bytes = 0;
        problem = null;
        if (field is not { } value)
        {
            problem = "missing required field 'payload' (a string)";
            return false;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            problem = $"field 'payload' must be a string, not {JsonKinds.Describe(value.ValueKind)}";
            return false;
        }

        if (!TryGetText(value, "payload", out payload, out problem))
        {
            return false;
        }

        bytes = Encoding.UTF8.GetByteCount(payload);
        if (bytes > Limits.MaxPayloadBytes)
        {
            problem = $"payload is {bytes} bytes as UTF-8; the limit is {Limits.MaxPayloadBytes} bytes (1 MiB)";
            payload = null;
            return false;
        }

        return true;
    }

    private static bool TryReadPriority(JsonElement? field, out int priority, out string? problem)
    {
        priority = 0;
        problem = null;
        if (field is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            problem = $"field 'priority' must be an integer, not {JsonKinds.Describe(value.ValueKind)}";
            return false;
        }

        if (!value.TryGetInt32(out priority))
        {
            problem = $"field 'priority' must be a whole number between {int.MinValue} and {int.MaxValue}, not {Truncate(value.GetRawText())}";
            return false;
        }

        return true;
    }

    private static bool TryReadDependsOn(JsonElement? field, out IReadOnlyList<Guid> dependsOn, out string? problem)
    {
        dependsOn = [];
        problem = null;
        if (field is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            problem = $"field 'dependsOn' must be an array of task ids, not {JsonKinds.Describe(value.ValueKind)}";
            return false;
        }

        var ids = new List<Guid>(value.GetArrayLength());
        var seen = new HashSet<Guid>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                problem = $"field 'dependsOn' must hold task ids (UUID strings), not {JsonKinds.Describe(item.ValueKind)}";
                return false;
            }

            if (!TryGetText(item, "dependsOn", out var text, out problem))
            {
                return false;
            }

            if (!Guid.TryParse(text, out var id))
            {
                problem = $"field 'dependsOn' holds '{Truncate(text)}', which is not a task id (a UUID)";
                return false;
            }

            if (seen.Add(id))
            {
                ids.Add(id);
            }
        }

        dependsOn = ids;
        return true;
    }

    private static bool TryReadMaxRetries(JsonElement? field, out int maxRetries, out string? problem)
    {
        maxRetries = 0;
        problem = null;
        if (field is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out maxRetries)
            || maxRetries is < 0 or > RetryOptions.MaxRetriesPerTask)
        {
            problem = $"field 'maxRetries' must be a whole number from 0 to {RetryOptions.MaxRetriesPerTask}, not {Truncate(value.GetRawText())}";
            maxRetries = 0;
            return false;
        }

        return true;
    }

    private static bool TryReadTimeout(JsonElement? field, out TimeSpan? timeout, out string? problem)
    {
        timeout = null;
        problem = null;
        if (field is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            problem = $"field 'timeout' must be a duration string (ISO 8601 such as PT5M, or hh:mm:ss), not {JsonKinds.Describe(value.ValueKind)}";
            return false;
        }

        if (!TryGetText(value, "timeout", out var text, out problem))
        {
            return false;
        }

        if (!TaskTimeout.TryParse(text, out var parsed, out var why))
        {
            problem = $"field 'timeout': {why}";
            return false;
        }

        timeout = parsed;
        return true;
    }

    private static bool TryGetText(JsonElement value, string field, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? text, out string? problem)
    {
        try
        {
            text = value.GetString()!;
            problem = null;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = null;
            problem = $"field '{field}' is not valid text (invalid UTF-8 or a lone UTF-16 surrogate)";
            return false;
        }
    }

    private static string Truncate(string? text) =>
        text is null ? "" : text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "…");
}
