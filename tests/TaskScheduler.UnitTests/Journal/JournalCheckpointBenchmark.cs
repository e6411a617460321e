using System.Diagnostics;
using System.Globalization;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.UnitTests;

/// <summary>
/// What LiteDB's checkpoint does to a turn's write: inside the commit (LiteDB's own) against between turns
/// (<see cref="JournalCheckpoint"/>), durable, the same turns alternately, for docs/benchmarks.md. Explicit:
/// <c>dotnet test tests/TaskScheduler.UnitTests -c Release --filter FullyQualifiedName~JournalCheckpointBenchmark --logger "console;verbosity=detailed"</c>.
/// </summary>
[Explicit("a benchmark")]
[Category("bench")]
public class JournalCheckpointBenchmark
{
    private const int Turns = 1500;

    [Test]
    public void TurnWrites_WithTheCheckpointInsideTheCommit_AndBetweenTurns()
    {
        for (var round = 1; round <= 2; round++)
        {
            foreach (var between in new[] { false, true })
            {
                var directory = Path.Combine(Path.GetTempPath(), $"checkpoint-bench-{Guid.NewGuid():N}");
                Directory.CreateDirectory(directory);
                try
                {
                    using var journal = new TaskJournal(Path.Combine(directory, "journal.db"), durable: true, checkpointBetweenTurns: between);
                    var writes = new List<double>(Turns);
                    var sequence = 0L;
                    for (var g = 0; g < Turns; g++)
                    {
                        var started = Stopwatch.GetTimestamp();
                        JournalCheckpointTests.WriteTurn(journal, ref sequence);
                        writes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds / 3);
                        journal.MakeDurable();
                        journal.CheckpointIfDue();
                    }

                    writes.Sort();
                    var checkpoints = journal.Checkpoints;
                    var tail = checkpoints is null ? "" : FormattableString.Invariant(
                        $"; {checkpoints.Count} checkpoints between turns, {checkpoints.Time.TotalMilliseconds / Math.Max(1, checkpoints.Count):N1} ms each (longest {checkpoints.Longest.TotalMilliseconds:N1} ms, fsync included)");
                    TestContext.Out.WriteLine(FormattableString.Invariant(
                        $"round {round}, checkpoint {(between ? "between turns" : "inside the commit")}: turn write p50 {writes[Turns / 2]:N2} ms, p99 {writes[Turns * 99 / 100]:N2} ms, max {writes[^1]:N2} ms{tail}"));
                }
                finally
                {
                    Directory.Delete(directory, recursive: true);
                }
            }
        }
    }
}
