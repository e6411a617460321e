namespace TaskScheduler.Contracts;

/// <summary>
/// Worker tags, the tags a task requires, and tenant group names: short plain words (letters, digits, <c>-_.:</c>),
/// compared exactly. A set of tags is kept sorted, so the same set always reads (and names its pool) the same way.
/// </summary>
public static class TagNames
{
    /// <summary>A tag or group name is at most this long.</summary>
    public const int MaxLength = 64;

    /// <summary>A worker advertises, and a task requires, at most this many tags.</summary>
    public const int MaxTags = 16;

    /// <summary>The name of the pool of workers without tags, and of tasks that require none.</summary>
    public const string DefaultPool = "default";

    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name)
        && name.Length <= MaxLength
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');

    /// <summary>The distinct valid tags, sorted; null when any is invalid or there are too many.</summary>
    public static string[]? Normalize(IEnumerable<string?>? tags)
    {
        if (tags is null)
        {
            return [];
        }

        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            if (!IsValid(tag))
            {
                return null;
            }

            set.Add(tag!);
        }

        return set.Count <= MaxTags ? [.. set] : null;
    }

    /// <summary>The pool a sorted tag set names: its tags joined by <c>+</c>, or <see cref="DefaultPool"/>.</summary>
    public static string Pool(IReadOnlyList<string> sortedTags) => sortedTags.Count == 0 ? DefaultPool : string.Join('+', sortedTags);

    /// <summary>True when <paramref name="offered"/> (sorted) holds every tag of <paramref name="required"/> (sorted).</summary>
    public static bool Covers(IReadOnlyList<string> offered, IReadOnlyList<string> required)
    {
        if (required.Count == 0)
        {
            return true;
        }

        var i = 0;
        foreach (var tag in required)
        {
            while (i < offered.Count && string.CompareOrdinal(offered[i], tag) < 0)
            {
                i++;
            }

            if (i == offered.Count || !string.Equals(offered[i], tag, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
