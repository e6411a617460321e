using System.Text.Json;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.Scheduler.Wire;

/// <summary>
/// Reads a cancel request from the cancel exchange, never throwing: <c>{"taskId":"…","reason":"…"}</c> becomes a
/// <see cref="CancelTask"/>, anything else a reason for the rejected queue.
/// </summary>
public static class CancelRequestParser
{
    /// <summary>A reason longer than this is cut: it ends up in the journal and in every copy of the task's history.</summary>
    public const int MaxReasonLength = 500;

    public const int MaxBodyBytes = 64 * 1024;

    public static bool TryParse(ReadOnlyMemory<byte> body, out CancelTask? request, out InputRejection? rejection)
    {
        request = null;
        if (body.Length > MaxBodyBytes)
        {
            rejection = new InputRejection(null, $"message is {body.Length} bytes; a cancel request is at most {MaxBodyBytes} bytes");
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
            return TryRead(document.RootElement, out request, out rejection);
        }
        catch (JsonException e)
        {
            rejection = new InputRejection(null, $"malformed JSON: {e.Message}");
            return false;
        }
        catch (InvalidOperationException e)
        {
            // Valid JSON syntax around invalid text (bad UTF-8, a lone surrogate) in a name or a value.
            rejection = new InputRejection(null, $"invalid text in a cancel request: {e.Message}");
            return false;
        }
    }

    private static bool TryRead(JsonElement root, out CancelTask? request, out InputRejection? rejection)
    {
        request = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            rejection = new InputRejection(null, "a cancel request is a JSON object like {\"taskId\": \"…\", \"reason\": \"…\"}");
            return false;
        }

        Guid? taskId = null;
        string? reason = null;
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name.Equals("taskId", StringComparison.OrdinalIgnoreCase))
            {
                if (property.Value.ValueKind != JsonValueKind.String || !Guid.TryParse(property.Value.GetString(), out var id))
                {
                    rejection = new InputRejection(null, "field 'taskId' must be a task id (a UUID string)");
                    return false;
                }

                taskId = id;
            }
            else if (property.Name.Equals("reason", StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.String)
            {
                reason = property.Value.GetString();
            }
        }

        if (taskId is not { } found)
        {
            rejection = new InputRejection(null, "missing required field 'taskId' (the id of the task to cancel)");
            return false;
        }

        rejection = null;
        request = new CancelTask(found, 0, Shorten(reason));
        return true;
    }

    /// <summary>Trims a cancel reason to something that fits in a history line.</summary>
    public static string? Shorten(string? reason)
    {
        var trimmed = reason?.Trim();
        return string.IsNullOrEmpty(trimmed) ? null : trimmed.Length <= MaxReasonLength ? trimmed : trimmed[..MaxReasonLength] + "…";
    }
}
