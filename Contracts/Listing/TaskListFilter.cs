using System.Globalization;
using System.Text;

namespace TaskScheduler.Contracts.Listing;

/// <summary>
/// Which tasks <c>GET /api/tasks</c> lists (every filter given must hold), how many per page, and where the page
/// starts: the <see cref="Cursor"/> of the previous page's <c>next</c>. The same filters select the tasks a bulk retry
/// acts on.
/// </summary>
public sealed record TaskListFilter
{
    /// <summary>The most tasks one page holds.</summary>
    public const int MaxLimit = 1000;

    /// <summary>The longest payload prefix a filter may give: the journal keeps this much of each payload for it.</summary>
    public const int MaxPrefixChars = 64;

    public TaskState? State { get; init; }

    public int? Priority { get; init; }

    /// <summary>The worker that runs or last ran the task.</summary>
    public string? Worker { get; init; }

    /// <summary>Accepted at or after this instant.</summary>
    public DateTimeOffset? SubmittedAfter { get; init; }

    /// <summary>Accepted before this instant.</summary>
    public DateTimeOffset? SubmittedBefore { get; init; }

    /// <summary>Finished (Completed, Failed or Cancelled) at or after this instant.</summary>
    public DateTimeOffset? FinishedAfter { get; init; }

    /// <summary>Finished before this instant.</summary>
    public DateTimeOffset? FinishedBefore { get; init; }

    /// <summary>The payload starts with this text (at most <see cref="MaxPrefixChars"/> characters, compared ordinally).</summary>
    public string? PayloadPrefix { get; init; }

    public int Limit { get; init; } = 100;

    /// <summary>Where the page starts: the previous page's <c>next</c>, as it was given.</summary>
    public string? Cursor { get; init; }

    /// <summary>Why the filter cannot be used, or null when it can.</summary>
    public string? Problem() =>
        Limit is < 1 or > MaxLimit ? $"limit must be between 1 and {MaxLimit}"
        : PayloadPrefix is { Length: > MaxPrefixChars } ? $"payloadPrefix may hold at most {MaxPrefixChars} characters"
        : Worker is { } w && !Limits.IsValidWorkerId(w) ? "worker is not a valid worker id"
        : SubmittedAfter >= SubmittedBefore ? "submittedAfter must be before submittedBefore"
        : FinishedAfter >= FinishedBefore ? "finishedAfter must be before finishedBefore"
        : null;

    /// <summary>The filter as the query string of <c>GET /api/tasks</c> (without the leading <c>?</c>).</summary>
    public string ToQueryString()
    {
        var query = new StringBuilder();
        Add(query, "state", State?.ToString());
        Add(query, "priority", Priority?.ToString(CultureInfo.InvariantCulture));
        Add(query, "worker", Worker);
        Add(query, "submittedAfter", Time(SubmittedAfter));
        Add(query, "submittedBefore", Time(SubmittedBefore));
        Add(query, "finishedAfter", Time(FinishedAfter));
        Add(query, "finishedBefore", Time(FinishedBefore));
        Add(query, "payloadPrefix", PayloadPrefix);
        Add(query, "limit", Limit.ToString(CultureInfo.InvariantCulture));
        Add(query, "cursor", Cursor);
        return query.ToString();
    }

    private static string? Time(DateTimeOffset? t) => t?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static void Add(StringBuilder query, string name, string? value)
    {
        if (value is null)
        {
            return;
        }

        query.Append(query.Length == 0 ? "" : "&").Append(name).Append('=').Append(Uri.EscapeDataString(value));
    }
}
