using System.Diagnostics;
using System.Globalization;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Listing;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.UnitTests;

/// <summary>
/// The docs/benchmarks.md figure for the task list: a journal filled directly through <see cref="TaskJournal"/>
/// (not through the broker: a million tasks through the whole system would take an hour and measure something else)
/// with <c>LIST_BENCH_TASKS</c> tasks (default 1,000,000), then the median time of a page of 100 for each filter.
/// Explicit: run it with
/// <c>LIST_BENCH_TASKS=1000000 dotnet test tests/TaskScheduler.UnitTests -c Release --filter FullyQualifiedName~TaskListBenchmark --logger "console;verbosity=detailed"</c>.
/// </summary>
[Explicit("a benchmark: minutes to fill the journal")]
[Category("bench")]
public class TaskListBenchmark
{
    private const int Runs = 21;

    [Test]
    public void PageOf100_WithAMillionTasksInTheJournal()
    {
        var count = int.Parse(Environment.GetEnvironmentVariable("LIST_BENCH_TASKS") ?? "1000000", CultureInfo.InvariantCulture);
        var directory = Path.Combine(Path.GetTempPath(), $"list-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            var t0 = DateTimeOffset.UtcNow.AddDays(-7);
            var filled = Stopwatch.StartNew();
            using var journal = new TaskJournal(Path.Combine(directory, "journal.db"), durable: false);
            foreach (var chunk in Enumerable.Range(1, count).Chunk(10_000))
            {
                var tasks = chunk.Select(i => Task(i, t0, count)).ToList();
                journal.Commit(tasks, tasks.Select(t => new KeyValuePair<Guid, string>(t.Id, $"job {t.Sequence % 1000:D3} {t.Id:N}")));
            }

            TestContext.Out.WriteLine($"filled {count:N0} tasks in {filled.Elapsed.TotalSeconds:N0} s; journal {new FileInfo(Path.Combine(directory, "journal.db")).Length / 1048576.0:N0} MiB");
            var deep = Cursor(journal, new TaskListFilter { Limit = 100 }, pages: 50);
            var cases = new (string Name, TaskListFilter Filter)[]
            {
                ("no filter, first page", new TaskListFilter()),
                ("no filter, page 51", new TaskListFilter { Cursor = deep }),
                ("state=Failed (10%)", new TaskListFilter { State = TaskState.Failed }),
                ("state=Pending (1%)", new TaskListFilter { State = TaskState.Pending }),
                ("state=Failed, finished in the last day", new TaskListFilter { State = TaskState.Failed, FinishedAfter = t0.AddDays(6) }),
                ("finished in the last day (3 outcomes)", new TaskListFilter { FinishedAfter = t0.AddDays(6) }),
                ("priority=7 (10%)", new TaskListFilter { Priority = 7 }),
                ("worker=w13 (1 in 50)", new TaskListFilter { Worker = "w13" }),
                ("submitted in one hour, 3 days ago", new TaskListFilter { SubmittedAfter = t0.AddDays(4), SubmittedBefore = t0.AddDays(4).AddHours(1) }),
                ("payload prefix 'job 042' (1 in 1,000)", new TaskListFilter { PayloadPrefix = "job 042" }),
                ("state=Failed and payload prefix 'job 042'", new TaskListFilter { State = TaskState.Failed, PayloadPrefix = "job 042" }),
            };
            TestContext.Out.WriteLine($"| filter | tasks on the page | median ms | p90 ms |");
            foreach (var (name, filter) in cases)
            {
                var times = new List<double>();
                TaskPage page = null!;
                for (var run = 0; run < Runs; run++)
                {
                    var started = Stopwatch.GetTimestamp();
                    page = journal.List(filter with { Limit = 100 });
                    times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }

                times.Sort();
                TestContext.Out.WriteLine($"| {name} | {page.Tasks.Count}{(page.Next is null ? "" : " + next")} | {times[Runs / 2]:N1} | {times[Runs * 9 / 10]:N1} |");
                // "job 042" payloads all belong to completed tasks: the last case reads its 1,000 matches and finds none.
                Assert.That(page.Tasks.Count > 0 || name.StartsWith("state=Failed and payload prefix", StringComparison.Ordinal), Is.True, name);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string? Cursor(TaskJournal journal, TaskListFilter filter, int pages)
    {
        for (var i = 0; i < pages; i++)
        {
            filter = filter with { Cursor = journal.List(filter).Next };
        }

        return filter.Cursor;
    }

    /// <summary>Over a week: 89% completed, 10% failed, 1% pending; priorities 0..9; 50 workers.</summary>
    private static TaskSnapshot Task(int i, DateTimeOffset t0, int count)
    {
        var submitted = t0.AddTicks(TimeSpan.FromDays(7).Ticks / count * i);
        var state = (i % 100) switch { 0 => TaskState.Pending, < 11 => TaskState.Failed, _ => TaskState.Completed };
        var snapshot = new TaskSnapshot(Guid.NewGuid(), i % 10, i, state, 0, null, submitted, null, null, null, null, null, "0123456789ABCDEF0123456789ABCDEF", 40);
        return state == TaskState.Pending
            ? snapshot
            : snapshot with { Attempts = 1, WorkerId = $"w{i % 50}", StartedAt = submitted, FinishedAt = submitted.AddSeconds(2), Error = state == TaskState.Failed ? "boom" : null };
    }
}
