using System.Diagnostics;
using System.Globalization;
using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.UnitTests;

/// <summary>
/// What the duplicate check of a new id costs with and without the journal's filter of known ids, and what building
/// the filter costs, for docs/benchmarks.md. Explicit:
/// <c>dotnet test tests/TaskScheduler.UnitTests -c Release --filter FullyQualifiedName~KnownIdsBenchmark --logger "console;verbosity=detailed"</c>
/// (<c>KNOWN_IDS_BENCH_TASKS</c> sets the journal's size, 100,000 by default).
/// </summary>
[Explicit("a benchmark")]
[Category("bench")]
public class KnownIdsBenchmark
{
    [Test]
    public void LookupOfNewIds_WithAndWithoutTheFilter()
    {
        var tasks = int.TryParse(Environment.GetEnvironmentVariable("KNOWN_IDS_BENCH_TASKS"), CultureInfo.InvariantCulture, out var n) ? n : 100_000;
        var directory = Path.Combine(Path.GetTempPath(), $"known-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            var path = Path.Combine(directory, "journal.db");
            using (var journal = new TaskJournal(path, durable: false))
            {
                for (var sequence = 0L; sequence < tasks;)
                {
                    var group = Enumerable.Range(0, 1000).Select(_ => new TaskSnapshot(
                        Guid.NewGuid(), 0, ++sequence, TaskState.Completed, 1, "w1", DateTimeOffset.UnixEpoch, null, null, null, null, null, "ABCDEF", 4)).ToList();
                    journal.Write(group, group.Select(t => new KeyValuePair<Guid, string>(t.Id, $"job {t.Sequence}")));
                }
            }

            using var reopened = new TaskJournal(path, durable: false);
            var fresh = Enumerable.Range(0, 20_000).Select(_ => Guid.NewGuid()).ToList();
            var without = Measure(() => fresh.ForEach(id => reopened.Find(id)));
            var build = Measure(reopened.KnownIds.Build);
            var with = Measure(() => fresh.ForEach(id => reopened.Find(id)));
            var falsePositives = fresh.Count(reopened.KnownIds.MightContain);
            TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"journal of {tasks:N0} tasks: lookup of a new id {without.TotalMicroseconds / fresh.Count:N2} µs without the filter, " +
                $"{with.TotalMicroseconds / fresh.Count:N2} µs with it ({falsePositives} of {fresh.Count:N0} false positives); " +
                $"building it took {build.TotalMilliseconds:N0} ms for {reopened.KnownIds.Filter!.Bytes / 1024.0:N0} KiB"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static TimeSpan Measure(Action action)
    {
        var started = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(started);
    }
}
