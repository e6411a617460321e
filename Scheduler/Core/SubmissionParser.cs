using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TaskScheduler.Contracts;

namespace TaskScheduler.Scheduler.Core;

/// <summary>
/// Reads a submission from raw message bytes and validates it, never throwing: whatever a producer sends becomes
/// either a <see cref="ParsedSubmission"/> or a <see cref="SubmissionRejection"/> with a reason a person can act on.
/// Field names match case-insensitively; unknown fields are ignored so producers can be newer than us.
/// </summary>
public static class SubmissionParser
{
    /// <summary>Largest body worth parsing: a maximal payload fully escaped as \uXXXX, plus room for the rest.</summary>
    public const int MaxBodyBytes = (Limits.MaxPayloadBytes * 6) + 64 * 1024;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    public static bool TryParse(ReadOnlyMemory<byte> body, out ParsedSubmission? submission, out SubmissionRejection? rejection)
    {
        submission = null;
        rejection = null;
        if (body.Length > MaxBodyBytes)
        {
            rejection = new SubmissionRejection(null, $"message is {body.Length} bytes; a submission is at most {MaxBodyBytes} bytes");
            return false;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException e)
        {
            rejection = new SubmissionRejection(null, $"malformed JSON: {e.Message}");
            return false;
        }

        using (document)
        {
            return TryRead(document.RootElement, out submission, out rejection);
        }
    }

    public static bool TryRead(JsonElement root, out ParsedSubmission? submission, out SubmissionRejection? rejection)
    {
        try
        {
            return TryReadFields(root, out submission, out rejection);
        }
        catch (InvalidOperationException e)
        {
            // Field values are checked where they are read (TryGetText); this catches the same flaw in a field's
            // name: valid JSON syntax, but invalid UTF-8 or a lone UTF-16 surrogate.
            submission = null;
            rejection = new SubmissionRejection(null, $"invalid text in a string field: {e.Message}");
            return false;
        }
    }

    private static bool TryReadFields(JsonElement root, out ParsedSubmission? submission, out SubmissionRejection? rejection)
    {
        submission = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            rejection = new SubmissionRejection(null, $"a submission is a JSON object, not {Describe(root.ValueKind)}");
            return false;
        }

        JsonElement? idField = null, payloadField = null, priorityField = null;
        string? duplicate = null;
        foreach (var property in root.EnumerateObject())
        {
            ref JsonElement? slot = ref idField;
            if (property.Name.Equals("id", StringComparison.OrdinalIgnoreCase))
            {
                slot = ref idField;
            }
            else if (property.Name.Equals("payload", StringComparison.OrdinalIgnoreCase))
            {
                slot = ref payloadField;
            }
            else if (property.Name.Equals("priority", StringComparison.OrdinalIgnoreCase))
            {
                slot = ref priorityField;
            }
            else
            {
                continue;
            }

            if (slot is not null)
            {
                duplicate ??= property.Name.ToLowerInvariant();
                continue;
            }

            slot = property.Value;
        }

        if (!TryReadId(idField, out var id, out var idProblem))
        {
            rejection = new SubmissionRejection(null, idProblem!);
            return false;
        }

        if (duplicate is not null)
        {
            rejection = new SubmissionRejection(duplicate == "id" ? null : id, $"field '{duplicate}' appears more than once");
            return false;
        }

        if (!TryReadPayload(payloadField, out var payload, out var payloadBytes, out var payloadProblem))
        {
            rejection = new SubmissionRejection(id, payloadProblem!);
            return false;
        }

        if (!TryReadPriority(priorityField, out var priority, out var priorityProblem))
        {
            rejection = new SubmissionRejection(id, priorityProblem!);
            return false;
        }

        rejection = null;
        submission = new ParsedSubmission(id, payload!, priority, ContentHash(payload!), payloadBytes);
        return true;
    }

    /// <summary>A short fingerprint of the payload, to tell a harmless resubmission from a conflicting one.</summary>
    public static string ContentHash(string payload)
    {
        var bytes = Encoding.UTF8.GetBytes(payload);
        return Convert.ToHexString(SHA256.HashData(bytes), 0, 16);
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
            problem = $"field 'id' must be a UUIDv4 string, not {Describe(value.ValueKind)}";
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
            problem = $"field 'payload' must be a string, not {Describe(value.ValueKind)}";
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
            problem = $"field 'priority' must be an integer, not {Describe(value.ValueKind)}";
            return false;
        }

        if (!value.TryGetInt32(out priority))
        {
            problem = $"field 'priority' must be a whole number between {int.MinValue} and {int.MaxValue}, not {Truncate(value.GetRawText())}";
            return false;
        }

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

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Truncate(string? text) =>
        text is null ? "" : text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "…");
}
