using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using LiteDB;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.UnitTests;

/// <summary>
/// What the journal's writes cost a plain task's life (accepted, running, completed: three turn writes), for the
/// docs/benchmarks.md A/B of the task list's index keys: the same file runs against a build without them; and
/// measurement M2 of docs/architecture.md's journal design, one record per turn with the documents written behind
/// the loop (<see cref="TurnsThenMaterialize_InTurnsOf50"/>). Explicit:
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

    private const int M2TurnSize = 50;
    private const int M2Tasks = 50_000;
    private const int M2Prefill = 100_000;
    private const int M2MaterializeEvery = 5_000;
    private const int M2Rounds = 3;

    /// <summary>
    /// M2: plain task lives in turns of 50, durable (one fsync per turn), on a journal already holding 100,000
    /// finished tasks. A: today's path, each turn's three stages written as whole documents. B: each turn one record
    /// in a <c>turns</c> collection, and every 5,000 tasks a batch on a thread of its own writes their final documents
    /// (an insert each, no update) and deletes the records it covered. Reports the loop's wall time per task, the
    /// process's CPU per task, the materializer's time per task, and each turn's write-and-fsync p50/p99/max, so a
    /// stall of one thread by the other shows.
    /// </summary>
    [Test]
    public void TurnsThenMaterialize_InTurnsOf50()
    {
        var lines = new List<string>();
        // The last two: B once more on a journal without the heads' text index, then without the list's priority and
        // worker keys as well (what step 3 of the build would trim; the list's filters by them then scan).
        foreach (var mode in new[] { "A documents", "B records + materializer", "B without the heads' text index", "B without it and the pk, wk keys" })
        {
            var loopMicros = new List<double>();
            var cpuMicros = new List<double>();
            var materializeMicros = new List<double>();
            var turnMillis = new List<double>();
            for (var round = 0; round < M2Rounds; round++)
            {
                var directory = Path.Combine(Path.GetTempPath(), $"write-bench-{Guid.NewGuid():N}");
                Directory.CreateDirectory(directory);
                try
                {
                    using var journal = new TaskJournal(Path.Combine(directory, "journal.db"), durable: true);
                    var now = DateTimeOffset.UtcNow;
                    var sequence = 0L;
                    foreach (var chunk in Enumerable.Range(0, M2Prefill).Chunk(5_000))
                    {
                        var finished = chunk.Select(_ => Lived(++sequence, now)).ToList();
                        journal.Write(finished, finished.Select(t => new KeyValuePair<Guid, string>(t.Id, $"resize image {t.Sequence}")));
                    }

                    journal.MakeDurable();
                    if (mode.Contains("without", StringComparison.Ordinal))
                    {
                        journal.Database.GetCollection("heads").DropIndex(TaskListing.HeadField);
                    }

                    if (mode.Contains("pk, wk", StringComparison.Ordinal))
                    {
                        journal.Database.GetCollection("tasks").DropIndex(ListKeys.PriorityField);
                        journal.Database.GetCollection("tasks").DropIndex(ListKeys.WorkerField);
                    }

                    var result = mode.StartsWith('A') ? DocumentsPerTurn(journal, ref sequence, now) : RecordsPerTurn(journal, ref sequence, now);
                    loopMicros.Add(result.LoopMicros);
                    cpuMicros.Add(result.CpuMicros);
                    materializeMicros.Add(result.MaterializeMicros);
                    turnMillis.AddRange(result.TurnMillis);
                }
                finally
                {
                    Directory.Delete(directory, recursive: true);
                }
            }

            loopMicros.Sort();
            cpuMicros.Sort();
            materializeMicros.Sort();
            turnMillis.Sort();
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{mode}: loop {loopMicros[M2Rounds / 2]:N1} µs per task (wall, fsync included), process CPU {cpuMicros[M2Rounds / 2]:N1} µs per task, " +
                $"materializer {materializeMicros[M2Rounds / 2]:N1} µs per task; a turn's write and fsync p50 {Percentile(turnMillis, 0.5):N2} ms, " +
                $"p99 {Percentile(turnMillis, 0.99):N2} ms, max {turnMillis[^1]:N2} ms (medians of {M2Rounds} rounds of {M2Tasks:N0} tasks on {M2Prefill:N0})"));
        }

        lines.ForEach(TestContext.Out.WriteLine);
    }

    private sealed record M2Result(double LoopMicros, double CpuMicros, double MaterializeMicros, List<double> TurnMillis);

    private static M2Result DocumentsPerTurn(TaskJournal journal, ref long sequence, DateTimeOffset now)
    {
        var turns = new List<double>();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        for (var g = 0; g < M2Tasks / M2TurnSize; g++)
        {
            var (accepted, running, completed) = Stages(ref sequence, now);
            Timed(turns, () => journal.Write(accepted, accepted.Select(t => new KeyValuePair<Guid, string>(t.Id, $"resize image {t.Sequence}"))), journal);
            Timed(turns, () => journal.Write(running, []), journal);
            Timed(turns, () => journal.Write(completed, []), journal);
        }

        var loop = Stopwatch.GetElapsedTime(started).TotalMicroseconds / M2Tasks;
        return new M2Result(loop, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / M2Tasks, 0, turns);
    }

    private static M2Result RecordsPerTurn(TaskJournal journal, ref long sequence, DateTimeOffset now)
    {
        var db = journal.Database;
        var records = db.GetCollection("turns");
        var batches = new BlockingCollection<(List<TaskSnapshot> Finals, Dictionary<Guid, string> Payloads, long UpTo)>();
        var materializeTicks = 0L;
        var materializer = new Thread(() =>
        {
            foreach (var (finals, payloads, upTo) in batches.GetConsumingEnumerable())
            {
                var batchStarted = Stopwatch.GetTimestamp();
                journal.Write(finals, payloads);
                records.DeleteMany(Query.LTE("_id", upTo));
                journal.MakeDurable();
                materializeTicks += Stopwatch.GetTimestamp() - batchStarted;
            }
        });
        materializer.Start();

        var turns = new List<double>();
        var turn = 0L;
        var finals = new List<TaskSnapshot>();
        var payloads = new Dictionary<Guid, string>();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        for (var g = 0; g < M2Tasks / M2TurnSize; g++)
        {
            var (accepted, running, completed) = Stages(ref sequence, now);
            var acceptedPayloads = accepted.ToDictionary(t => t.Id, t => $"resize image {t.Sequence}");
            foreach (var (changes, turnPayloads) in new[] { (accepted, acceptedPayloads), (running, []), (completed, []) })
            {
                var bytes = TurnRecordCodec.Encode(new TurnRecord(++turn, 0, now, changes, turnPayloads));
                Timed(turns, () =>
                {
                    db.BeginTrans();
                    records.Insert(new BsonDocument { ["_id"] = turn, ["r"] = bytes });
                    db.Commit();
                }, journal);
            }

            finals.AddRange(completed);
            foreach (var (id, payload) in acceptedPayloads)
            {
                payloads[id] = payload;
            }

            if (finals.Count >= M2MaterializeEvery)
            {
                batches.Add((finals, payloads, turn));
                finals = [];
                payloads = [];
            }
        }

        var loop = Stopwatch.GetElapsedTime(started).TotalMicroseconds / M2Tasks;
        batches.CompleteAdding();
        materializer.Join();
        var materialize = Stopwatch.GetElapsedTime(0, materializeTicks).TotalMicroseconds / M2Tasks;
        return new M2Result(loop, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / M2Tasks, materialize, turns);
    }

    private static void Timed(List<double> turns, Action write, TaskJournal journal)
    {
        var started = Stopwatch.GetTimestamp();
        write();
        journal.MakeDurable();
        turns.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private static (List<TaskSnapshot>, List<TaskSnapshot>, List<TaskSnapshot>) Stages(ref long sequence, DateTimeOffset now)
    {
        var first = sequence;
        sequence += M2TurnSize;
        var accepted = Enumerable.Range(1, M2TurnSize)
            .Select(i => new TaskSnapshot(Guid.NewGuid(), i % 10, first + i, TaskState.Pending, 0, null, now, null, null, null, null, null, "0123456789ABCDEF0123456789ABCDEF", 30))
            .ToList();
        var running = accepted.Select(t => t with
        {
            State = TaskState.Running, Attempts = 1, WorkerId = $"w{t.Sequence % 10}", AssignedAt = now,
            History = [new TaskHistoryEntry(now, TaskHistoryEvents.Assigned, $"w{t.Sequence % 10}", 1, null)],
        }).ToList();
        var completed = running.Select(t => t with
        {
            State = TaskState.Completed, StartedAt = now, FinishedAt = now,
            History = [.. t.History, new TaskHistoryEntry(now, TaskHistoryEvents.Completed, t.WorkerId, 1, null)],
        }).ToList();
        return (accepted, running, completed);
    }

    private static TaskSnapshot Lived(long sequence, DateTimeOffset now) =>
        new(Guid.NewGuid(), (int)(sequence % 10), sequence, TaskState.Completed, 1, "w1", now, now, now, now, null, null, "0123456789ABCDEF0123456789ABCDEF", 30);

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}
