using System.Globalization;
using System.Text.Json;
using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.Scheduler.Wire;

/// <summary>
/// Reads the submission fields that say when and where a task runs (<c>runAt</c>, <c>delay</c>, <c>requires</c>,
/// <c>group</c>), for <see cref="SubmissionParser"/>: each returns false with a reason a producer can act on.
/// </summary>
public static class SubmissionOptionFields
{
    /// <summary>The longest delay a task may ask for.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(366);

    public static bool TryReadRunAt(JsonElement? field, out DateTimeOffset? runAt, out string? problem)
    {
        runAt = null;
        problem = null;
        if (field is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.String || !TryText(value, out var text))
        {
            problem = "field 'runAt' must be a UTC time string (ISO 8601, such as 2026-12-01T02:00:00Z)";
            return false;
        }

        // An offset is required: a time without one would mean whatever the scheduler's zone is.
        if (!DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture,
                DateTimeStyles.None, out var parsed) || !(text.EndsWith('Z') || text.EndsWith('z') || text.Contains('+', StringComparison.Ordinal) || text.LastIndexOf('-') > 9))
        {
            problem = $"field 'runAt' is not a UTC time (ISO 8601 with Z or an offset, such as 2026-12-01T02:00:00Z): '{Shorten(text)}'";
            return false;
        }

        // To the millisecond, as the journal keeps it; rounded up, so the task never starts before the time asked.
        runAt = TimeMath.CeilingToMillisecond(parsed);
        return true;
    }

    public static bool TryReadDelay(JsonElement? field, out TimeSpan? delay, out string? problem)
    {
        delay = null;
        problem = null;
        if (field is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.String || !TryText(value, out var text))
        {
            problem = "field 'delay' must be a duration string (ISO 8601 such as PT5M, or hh:mm:ss)";
            return false;
        }

        if (!TaskTimeout.TryParse(text, TimeSpan.Zero, MaxDelay, "a delay", out var parsed, out var why))
        {
            problem = $"field 'delay': {why}";
            return false;
        }

        delay = parsed;
        return true;
    }

    public static bool TryReadRequires(JsonElement? field, out IReadOnlyList<string> requires, out string? problem)
    {
        requires = [];
        problem = null;
        if (field is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        var rule = $"field 'requires' must be an array of at most {TagNames.MaxTags} worker tags (letters, digits, -_.: up to {TagNames.MaxLength} characters)";
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > TagNames.MaxTags * 4)
        {
            problem = rule;
            return false;
        }

        var tags = new List<string?>();
        foreach (var item in value.EnumerateArray())
        {
            tags.Add(item.ValueKind == JsonValueKind.String && TryText(item, out var tag) ? tag : null);
        }

        if (TagNames.Normalize(tags) is not { } normalized)
        {
            problem = $"{rule}; got {Shorten(value.GetRawText())}";
            return false;
        }

        requires = normalized;
        return true;
    }

    public static bool TryReadGroup(JsonElement? field, out string? group, out string? problem)
    {
        group = null;
        problem = null;
        if (field is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.String || !TryText(value, out var text) || !TagNames.IsValid(text))
        {
            problem = $"field 'group' must be a group name (letters, digits, -_.: up to {TagNames.MaxLength} characters), not {Shorten(value.GetRawText())}";
            return false;
        }

        group = text;
        return true;
    }

    /// <summary>What these fields add to a task's content hash: nothing when none is set.</summary>
    public static string HashText(DateTimeOffset? runAt, TimeSpan? delay, IReadOnlyList<string> requires, string? group)
    {
        var text = "";
        if (runAt is { } at)
        {
            text += "\0runAt:" + at.UtcTicks.ToString(CultureInfo.InvariantCulture);
        }

        if (delay is { } d)
        {
            text += "\0delay:" + d.Ticks.ToString(CultureInfo.InvariantCulture);
        }

        if (requires.Count > 0)
        {
            text += "\0requires:" + string.Join(',', requires);
        }

        if (group is not null)
        {
            text += "\0group:" + group;
        }

        return text;
    }

    private static bool TryText(JsonElement value, out string text)
    {
        try
        {
            text = value.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = "";
            return false;
        }
    }

    private static string Shorten(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "…");
}
