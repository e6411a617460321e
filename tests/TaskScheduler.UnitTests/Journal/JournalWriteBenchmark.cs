using System.Diagnostics;
using System.Globalization;
using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.UnitTests;

/// <summary>
/// What the journal's writes cost a plain task's life (accepted, running, completed: three turn writes), for the
/// docs/benchmarks.md A/B of the task list's index keys: the same file runs against a build without them. Explicit:
/// <c>dotnet test tests/TaskScheduler.UnitTests -c Release --filter FullyQualifiedName~JournalWriteBenchmark --logger "console;verbosity=detailed"</c>.
/// </summary>
[Explicit("a benchmark")]
[Category("bench")]
public class JournalWriteBenchmark
{
    private const int Turn = 500;
    private const int Turns = 40;
    private const int Rounds = 7;

    [Test]
    public void PlainTaskLives_InTurnsOf500()
    {
        var perTask = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            var directory = Path.Combine(Path.GetTempPath(), $"write-bench-{Guid.NewGuid():N}");
            Directory.CreateDirectory(directory);
            try
            {
                using var journal = new TaskJournal(Path.Combine(directory, "journal.db"), durable: false);
                var now = DateTimeOffset.UtcNow;
                var sequence = 0L;
                var started = Stopwatch.GetTimestamp();
                for (var g = 0; g < Turns; g++)
                {
                    var tasks = Enumerable.Range(0, Turn)
                        .Select(i => new TaskSnapshot(Guid.NewGuid(), i % 10, ++sequence, TaskState.Pending, 0, null, now, null, null, null, null, null, "0123456789ABCDEF0123456789ABCDEF", 30))
                        .ToList();
                    journal.Write(tasks, tasks.Select(t => new KeyValuePair<Guid, string>(t.Id, $"resize image {t.Sequence}")));
                    var running = tasks.Select(t => t with { State = TaskState.Running, Attempts = 1, WorkerId = $"w{t.Sequence % 3}", AssignedAt = now }).ToList();
                    journal.Write(running, []);
                    journal.Write(running.Select(t => t with { State = TaskState.Completed, StartedAt = now, FinishedAt = now }), []);
                }

                perTask.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds / (Turn * Turns));
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        perTask.Sort();
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"journal writes per plain task (3 turn writes, turns of {Turn}, {Turn * Turns:N0} tasks): median {perTask[Rounds / 2]:N1} µs over {Rounds} rounds (min {perTask[0]:N1}, max {perTask[^1]:N1})"));
    }
}
