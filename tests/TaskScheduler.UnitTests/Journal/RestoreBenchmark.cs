using System.Diagnostics;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Liveness;
using TaskScheduler.Scheduler.Core.Queueing;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.UnitTests;

/// <summary>
/// Where a restart's restore goes (issue 16, target 5), on a copy of a real journal (the one deploy/backlog-bench.sh
/// leaves, named by RESTORE_JOURNAL): reading the unfinished tasks from LiteDB alone, then the core rebuilt from them,
/// with the managed memory the core holds afterwards. Explicit:
/// <c>RESTORE_JOURNAL=.run/backlog/journal.db dotnet test tests/TaskScheduler.UnitTests -c Release --filter FullyQualifiedName~RestoreBenchmark --logger "console;verbosity=detailed"</c>.
/// </summary>
[Explicit("a benchmark")]
[Category("bench")]
public class RestoreBenchmark : TempDirectoryTests
{
    /// <summary>
    /// The restore as the scheduler now does it: the journal opened (on a copy without the queue index first, as a
    /// journal of the previous version is: the one-time upgrade), the running tasks and the first chunk read into the
    /// core (what the first dispatch waits for), the pending tasks counted, and every chunk read.
    /// </summary>
    [Test]
    public void ChunkedRestoreOfTheBacklog_FirstChunkAndWhole()
    {
        var source = Environment.GetEnvironmentVariable("RESTORE_JOURNAL") ?? "";
        Assume.That(File.Exists(source), "RESTORE_JOURNAL names a journal");
        var path = Path.Combine(TestDirectory, "journal.db");
        File.Copy(source, path);
        using (var db = new LiteDB.LiteDatabase(new LiteDB.ConnectionString { Filename = path, Connection = LiteDB.ConnectionType.Direct }))
        {
            db.GetCollection("tasks").DropIndex(ListKeys.QueueIndex);
        }

        for (var round = 0; round < 3; round++)
        {
            var started = Stopwatch.GetTimestamp();
            using var journal = new TaskJournal(path, durable: false);
            var opened = Stopwatch.GetElapsedTime(started);
            started = Stopwatch.GetTimestamp();
            var core = new SchedulerCore(LivenessOptions.Default, TimeProvider.System);
            core.BeginRestore(journal.LoadRunning(), journal.LastSequence());
            var chunk = journal.LoadPending(null, 5000);
            core.RestoreChunk(chunk, last: chunk.Count < 5000);
            var first = Stopwatch.GetElapsedTime(started);
            started = Stopwatch.GetTimestamp();
            var total = journal.CountPending();
            var counted = Stopwatch.GetElapsedTime(started);
            started = Stopwatch.GetTimestamp();
            while (chunk.Count == 5000)
            {
                chunk = journal.LoadPending(new PendingEntry(chunk[^1].Priority, chunk[^1].Sequence, chunk[^1].Id), 5000);
                core.RestoreChunk(chunk, last: chunk.Count < 5000);
            }

            var rest = Stopwatch.GetElapsedTime(started);
            TestContext.Out.WriteLine(
                $"round {round + 1}: journal opened in {opened.TotalMilliseconds:0} ms{(round == 0 ? " (building the queue index)" : "")}; " +
                $"running tasks and the first 5,000 pending in the core after {first.TotalMilliseconds:0} ms; {total} pending counted in " +
                $"{counted.TotalMilliseconds:0} ms; the rest read in {rest.TotalMilliseconds:0} ms ({rest.TotalMicroseconds / Math.Max(1, total):0.0} µs each); " +
                $"{core.ActiveCount} tasks held");
        }
    }

    [Test]
    public void RestoreOfTheBacklog_ReadAloneAndIntoTheCore()
    {
        var source = Environment.GetEnvironmentVariable("RESTORE_JOURNAL") ?? "";
        Assume.That(File.Exists(source), "RESTORE_JOURNAL names a journal");
        var path = Path.Combine(TestDirectory, "journal.db");
        File.Copy(source, path);
        using var journal = new TaskJournal(path, durable: false);
        for (var round = 0; round < 3; round++)
        {
            var started = Stopwatch.GetTimestamp();
            var count = journal.LoadUnfinished().Count();
            var read = Stopwatch.GetElapsedTime(started);

            GC.Collect();
            var before = GC.GetTotalMemory(forceFullCollection: true);
            started = Stopwatch.GetTimestamp();
            var core = new SchedulerCore(LivenessOptions.Default, TimeProvider.System);
            core.Restore(journal.LoadUnfinished(), journal.LastSequence());
            var restored = Stopwatch.GetElapsedTime(started);
            var held = GC.GetTotalMemory(forceFullCollection: true) - before;
            TestContext.Out.WriteLine(
                $"round {round + 1}: {count} tasks read in {read.TotalMilliseconds:0} ms ({read.TotalMicroseconds / count:0.0} µs each); " +
                $"restored into the core in {restored.TotalMilliseconds:0} ms ({restored.TotalMicroseconds / count:0.0} µs each), " +
                $"holding {held / (double)count:0} bytes a task");
            GC.KeepAlive(core);
        }
    }
}
