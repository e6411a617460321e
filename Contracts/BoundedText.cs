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
        return string.Concat(Start(text, maxChars - note.Length), note);
    }

    /// <summary>
    /// The text as it is when it has at most <paramref name="maxChars"/> characters, else its start and "…", in
    /// <paramref name="maxChars"/> characters at most: for a view with no room for <see cref="Truncate"/>'s note.
    /// </summary>
    public static string Shorten(string text, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length <= maxChars ? text : string.Concat(Start(text, maxChars - 1), "…");
    }

    /// <summary>
    /// The first <paramref name="maxChars"/> characters of the text (all of it when shorter), one fewer where the
    /// last would be the first half of a surrogate pair: half of one is not text.
    /// </summary>
    public static ReadOnlySpan<char> Start(string text, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(text);
        var keep = Math.Clamp(maxChars, 0, text.Length);
        if (keep > 0 && keep < text.Length && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return text.AsSpan(0, keep);
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
