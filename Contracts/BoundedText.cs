using System.Globalization;

namespace TaskScheduler.Contracts;

/// <summary>Keeps texts that come from outside (errors, reasons, lists of ids) to a bounded size.</summary>
public static class BoundedText
{
    /// <summary>
    /// The text as it is when it has at most <paramref name="maxChars"/> characters, else its start and a note
    /// saying it was truncated and how long it was. The result never exceeds <paramref name="maxChars"/>.
    /// </summary>
    public static string Truncate(string text, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= maxChars)
        {
            return text;
        }

        var note = $"… (truncated; {text.Length.ToString("N0", CultureInfo.InvariantCulture)} characters in all)";
        var keep = Math.Max(0, maxChars - note.Length);
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]))
        {
            // Never split a surrogate pair: half of one is not text.
            keep--;
        }

        return string.Concat(text.AsSpan(0, keep), note);
    }

    /// <summary><see cref="Truncate(string, int)"/> for a text that may be absent.</summary>
    public static string? TruncateOrNull(string? text, int maxChars) => text is null ? null : Truncate(text, maxChars);

    /// <summary>
    /// Names the first <see cref="Limits.MaxNamedIds"/> items, joined by <paramref name="separator"/>, and says how
    /// many more there are: "a, b, c and 2,997 more".
    /// </summary>
    public static string NameFew<T>(IReadOnlyCollection<T> items, string separator = ", ")
    {
        ArgumentNullException.ThrowIfNull(items);
        var named = string.Join(separator, items.Take(Limits.MaxNamedIds));
        var more = items.Count - Limits.MaxNamedIds;
        return more > 0 ? $"{named} and {more.ToString("N0", CultureInfo.InvariantCulture)} more" : named;
    }
}
