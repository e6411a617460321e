using System.Diagnostics;
using TaskScheduler.Scheduler.Core;
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
public class RestoreBenchmark
{
    [Test]
    public void RestoreOfTheBacklog_ReadAloneAndIntoTheCore()
    {
        var source = Environment.GetEnvironmentVariable("RESTORE_JOURNAL") ?? "";
        Assume.That(File.Exists(source), "RESTORE_JOURNAL names a journal");
        var directory = Path.Combine(Path.GetTempPath(), $"restore-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            var path = Path.Combine(directory, "journal.db");
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
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
