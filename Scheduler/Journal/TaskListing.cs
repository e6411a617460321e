using System.Globalization;
using System.Text;
using LiteDB;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Listing;
using static TaskScheduler.Scheduler.Journal.TaskDocument;

namespace TaskScheduler.Scheduler.Journal;

/// <summary>
/// Pages of the task list, newest first, read from the journal's indexes: the most selective filter given picks one
/// index range (a worker, a state, a state with a finish-time range, a finish-time range across the three outcomes, a
/// priority, or all tasks by acceptance), read backwards from the cursor; the other filters are checked on each task
/// read. At most <see cref="MaxScanned"/> tasks are read per page, so a filter the chosen range does not narrow
/// returns a short (even empty) page with a cursor rather than a slow one. The payload prefix is checked against the
/// payload's head, kept in a collection of its own, so no payload is read.
/// </summary>
public sealed class TaskListing
{
    /// <summary>Tasks read for one page at most, across its ranges.</summary>
    public const int MaxScanned = 20_000;

    private const string OutcomeAtField = "outcomeAt";

    /// <summary>The field of a payload head, indexed.</summary>
    public const string HeadField = "h";

    /// <summary>
    /// The most tasks a payload prefix may select for the heads' index to serve it; a prefix that selects more is
    /// common enough that reading tasks newest first finds a page sooner.
    /// </summary>
    private const int MaxPrefixMatches = 5_000;

    /// <summary>
    /// Above every key's digits. LiteDB compares text by culture, where punctuation sorts before digits, so the
    /// bound is digits too.
    /// </summary>
    private const string Top = "9999999999999999999:";

    private readonly ILiteCollection<BsonDocument> _tasks;
    private readonly ILiteCollection<BsonDocument> _heads;
    private readonly Collation _collation;

    /// <param name="collation">How the journal's indexes compare text (<see cref="LiteDatabase.Collation"/>).</param>
    public TaskListing(ILiteCollection<BsonDocument> tasks, ILiteCollection<BsonDocument> heads, Collation collation)
    {
        _tasks = tasks;
        _heads = heads;
        _collation = collation;
    }

    /// <summary>One page; throws <see cref="FormatException"/> for a cursor that is not one this filter gave.</summary>
    public TaskPage List(TaskListFilter filter)
    {
        var (driver, ranges) = Plan(filter);
        var after = DecodeCursor(filter.Cursor, driver);
        if (filter.SubmittedBefore is { } before && ranges[0].BySequence)
        {
            // Start below the last task submitted before the bound, found in the sequence index, rather than read
            // every later task on the way down to it.
            var bound = ListKeys.Sequence(LastSequenceBefore(before) + 1);
            if (after is null || string.CompareOrdinal(bound, after) < 0)
            {
                after = bound;
            }
        }

        var budget = Math.Max(MaxScanned / ranges.Count, filter.Limit + 1);
        var found = new List<(string Key, BsonDocument Task)>();
        string? cutoff = null;
        foreach (var range in ranges)
        {
            var stoppedAt = Read(range, filter, after, budget, found);
            if (stoppedAt is not null && (cutoff is null || string.CompareOrdinal(stoppedAt, cutoff) > 0))
            {
                cutoff = stoppedAt;
            }
        }

        // Only what every range has read down to is certain: a range that stopped early may hold more above its stop.
        var page = found
            .Where(f => cutoff is null || string.CompareOrdinal(f.Key, cutoff) >= 0)
            .OrderByDescending(f => f.Key, StringComparer.Ordinal)
            .Take(filter.Limit)
            .ToList();
        string? next = null;
        if (page.Count == filter.Limit && (cutoff is not null || found.Count > page.Count))
        {
            next = EncodeCursor(driver, page[^1].Key);
        }
        else if (cutoff is not null)
        {
            next = EncodeCursor(driver, cutoff);
        }

        var heads = Heads(page.Select(f => f.Task));
        return new TaskPage([.. page.Select(f => Summary(f.Task, heads))], next);
    }

    /// <summary>
    /// Reads one range backwards below <paramref name="after"/>, adding what passes the filter; returns the key it
    /// stopped at when it stopped before the range's end (budget spent, or a page and one more found), else null.
    /// </summary>
    private string? Read(Range range, TaskListFilter filter, string? after, int budget, List<(string, BsonDocument)> found)
    {
        var read = 0;
        var matched = 0;
        // In chunks, so the payload heads a prefix filter checks come in one query per chunk, not one per task.
        foreach (var chunk in range.Tasks(after).Chunk(256))
        {
            var heads = filter.PayloadPrefix is null || range.ByHeads ? null : Heads(chunk);
            foreach (var task in chunk)
            {
                var key = range.SortKey(task);
                if (after is not null && string.CompareOrdinal(key, after) >= 0)
                {
                    continue;
                }

                read++;
                if (filter.SubmittedAfter is { } from && range.BySequence && Time(task["submittedAt"]) < from)
                {
                    // Acceptance order is submission order: nothing further down the range was submitted later.
                    return null;
                }

                if (Matches(task, filter) && (heads is null || (heads.TryGetValue(task["sequence"].AsInt64, out var head) && head.StartsWith(filter.PayloadPrefix!, StringComparison.Ordinal))))
                {
                    found.Add((key, task));
                    if (++matched > filter.Limit)
                    {
                        return key;
                    }
                }

                if (read >= budget)
                {
                    return key;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The payload heads of these tasks, by sequence, each looked up by its id: LiteDB 5.0.21 answers <c>_id IN [...]</c>
    /// with a scan, and compiles (and keeps) a query per distinct list (<see cref="JournalQuery"/>).
    /// </summary>
    private Dictionary<long, string> Heads(IEnumerable<BsonDocument> tasks) =>
        tasks.Select(t => _heads.FindById(t["sequence"])).OfType<BsonDocument>().ToDictionary(h => h["_id"].AsInt64, h => h["h"].AsString);

    /// <summary>
    /// The highest sequence of a task submitted before <paramref name="before"/> (0 when none), by a binary search of
    /// the sequence index: acceptance order is submission order, so submission times rise with the sequence.
    /// </summary>
    private long LastSequenceBefore(DateTimeOffset before)
    {
        long low = 0;
        var high = Latest(long.MaxValue)?["sequence"].AsInt64 ?? 0;
        while (low < high)
        {
            var middle = low + ((high - low + 1) / 2);
            var task = Latest(middle);
            if (task is null || Time(task["submittedAt"]) < before)
            {
                // Nothing between that task and the middle: the answer is at least the middle.
                low = middle;
            }
            else
            {
                high = task["sequence"].AsInt64 - 1;
            }
        }

        return low;
    }

    /// <summary>The task with the highest sequence at most <paramref name="sequence"/>.</summary>
    private BsonDocument? Latest(long sequence)
    {
        var query = new Query { OrderBy = "$." + ListKeys.SequenceField, Order = Query.Descending, Limit = 1 };
        query.Where.Add(JournalQuery.Between(ListKeys.SequenceField, 0L, sequence));
        return _tasks.Find(query).FirstOrDefault();
    }

    private (char Driver, IReadOnlyList<Range> Ranges) Plan(TaskListFilter f)
    {
        if (f.Worker is { } worker)
        {
            return ('w', [Prefixed(ListKeys.WorkerField, ListKeys.WorkerPrefix(worker))]);
        }

        if (f.PayloadPrefix is { } payloadPrefix && ByHeads(payloadPrefix) is { } byHeads)
        {
            return ('h', [byHeads]);
        }

        var finishedRange = f.FinishedAfter is not null || f.FinishedBefore is not null;
        if (f.State is { } state && state.IsFinal() && finishedRange)
        {
            return ('f', [Finished(state, f)]);
        }

        if (f.State is { } s)
        {
            return ('s', [Prefixed(ListKeys.StateField, ListKeys.StatePrefix(s))]);
        }

        if (finishedRange)
        {
            return ('f', [Finished(TaskState.Completed, f), Finished(TaskState.Failed, f), Finished(TaskState.Cancelled, f)]);
        }

        if (f.Priority is { } priority)
        {
            return ('p', [Prefixed(ListKeys.PriorityField, ListKeys.PriorityPrefix(priority))]);
        }

        return ('q', [BySequenceIndex()]);
    }

    /// <summary>
    /// The tasks whose payload starts with <paramref name="prefix"/>, from the index of payload heads, newest first;
    /// null when more than <see cref="MaxPrefixMatches"/> match: so common a prefix is found as fast by reading
    /// tasks newest first and checking their heads.
    /// </summary>
    private Range? ByHeads(string prefix)
    {
        var sequences = new List<long>();
        var query = new Query { OrderBy = "$." + HeadField, Order = Query.Ascending };
        query.Where.Add(JournalQuery.AtLeast(HeadField, prefix));
        foreach (var head in _heads.Find(query))
        {
            // The prefix is text, not a LIKE pattern (where % and _ are wildcards and a leading one reads every head):
            // the heads that start with it are those from it upwards in the index, up to the first that does not
            // start with it as the index compares (by culture, ignoring case); the filter itself is ordinal.
            var text = head[HeadField].AsString;
            if (!_collation.Culture.CompareInfo.IsPrefix(text, prefix, _collation.SortOptions))
            {
                break;
            }

            if (text.StartsWith(prefix, StringComparison.Ordinal))
            {
                sequences.Add(head["_id"].AsInt64);
                if (sequences.Count > MaxPrefixMatches)
                {
                    return null;
                }
            }
        }

        sequences.Sort((a, b) => b.CompareTo(a));
        return new Range(
            after => sequences
                .Where(s => after is null || string.CompareOrdinal(ListKeys.Sequence(s), after) < 0)
                .Select(s => _tasks.FindOne(JournalQuery.EQ(ListKeys.SequenceField, s)))
                .Where(t => t is not null),
            task => ListKeys.Sequence(task["sequence"].AsInt64),
            BySequence: true)
        {
            ByHeads = true,
        };
    }

    /// <summary>Keys that start with <paramref name="prefix"/> and end with the sequence.</summary>
    private Range Prefixed(string field, string prefix) => new(
        after => Backwards(field, JournalQuery.Between(field, prefix, prefix + (after ?? Top))),
        task => task[field].AsString[prefix.Length..],
        BySequence: true);

    private Range BySequenceIndex() => new(
        after => Backwards(ListKeys.SequenceField, JournalQuery.Between(ListKeys.SequenceField, 0L, after is null ? long.MaxValue : long.Parse(after, CultureInfo.InvariantCulture))),
        task => ListKeys.Sequence(task["sequence"].AsInt64),
        BySequence: true);

    /// <summary>The tasks in one range of an index, read backwards.</summary>
    private IEnumerable<BsonDocument> Backwards(string field, BsonExpression where)
    {
        var query = new Query { OrderBy = "$." + field, Order = Query.Descending };
        query.Where.Add(where);
        return _tasks.Find(query);
    }

    /// <summary>The outcome's tasks finished in the filter's range, by the key retention expires them by.</summary>
    private Range Finished(TaskState outcome, TaskListFilter f)
    {
        var prefix = ListKeys.StatePrefix(outcome);
        var low = f.FinishedAfter is { } from ? prefix + ListKeys.Ticks(from) : prefix;
        var high = f.FinishedBefore is { } to ? prefix + ListKeys.Ticks(to) : prefix + Top;
        return new Range(
            after => Backwards(OutcomeAtField, JournalQuery.Between(OutcomeAtField, low, after is null || string.CompareOrdinal(prefix + after, high) > 0 ? high : prefix + after)),
            task => task[OutcomeAtField].AsString[prefix.Length..],
            BySequence: false);
    }

    private static bool Matches(BsonDocument task, TaskListFilter f) =>
        (f.State is null || task["state"].AsString == f.State.Value.ToString())
        && (f.Priority is null || task["priority"].AsInt32 == f.Priority)
        && (f.Worker is null || (task["worker"].IsString && task["worker"].AsString == f.Worker))
        && (f.SubmittedAfter is null || Time(task["submittedAt"]) >= f.SubmittedAfter)
        && (f.SubmittedBefore is null || Time(task["submittedAt"]) < f.SubmittedBefore)
        && (f.FinishedAfter is null || (task["finishedAt"].IsDateTime && Time(task["finishedAt"]) >= f.FinishedAfter))
        && (f.FinishedBefore is null || (task["finishedAt"].IsDateTime && Time(task["finishedAt"]) < f.FinishedBefore));

    private static string EncodeCursor(char driver, string key) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(driver + key)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string? DecodeCursor(string? cursor, char driver)
    {
        if (cursor is null)
        {
            return null;
        }

        string text;
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            text = Encoding.ASCII.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=')));
        }
        catch (FormatException)
        {
            throw new FormatException("the cursor is not one a task list gave");
        }

        // Every source but the finish-time one is ordered by sequence, so their cursors mean the same place.
        return text.Length > 1 && (text[0] == driver || (text[0] != 'f' && driver != 'f'))
            ? text[1..]
            : throw new FormatException("the cursor belongs to a list with other filters: start again without it");
    }

    /// <summary>
    /// One source of tasks in descending <see cref="SortKey"/> order below a cursor (an index range, or the tasks a
    /// payload prefix selects); the sort key orders tasks across sources and marks the cursor.
    /// </summary>
    private sealed record Range(Func<string?, IEnumerable<BsonDocument>> Tasks, Func<BsonDocument, string> SortKey, bool BySequence)
    {
        /// <summary>The tasks come from the payload heads' index: their prefix is checked already.</summary>
        public bool ByHeads { get; init; }
    }
}
