using System.Diagnostics;
using System.Globalization;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.UnitTests;

/// <summary>
/// Measurement M1 of docs/architecture.md's journal design: what a turn's record costs a plain task's life (accepted,
/// assigned, completed: three records, in turns of 50), in bytes and in CPU to encode and to decode. Explicit:
/// <c>dotnet test tests/TaskScheduler.UnitTests -c Release --filter FullyQualifiedName~TurnRecordBenchmark --logger "console;verbosity=detailed"</c>.
/// </summary>
[Explicit("a benchmark")]
[Category("bench")]
public class TurnRecordBenchmark
{
    private const int TurnSize = 50;
    private const int Turns = 1_000;
    private const int Rounds = 7;

    [Test]
    public void PlainTaskLives_InTurnsOf50()
    {
        var now = DateTimeOffset.UtcNow;
        var lives = Enumerable.Range(0, Turns).Select(t => Lives(t * TurnSize, now)).ToList();
        var encodeMicros = new List<double>();
        var decodeMicros = new List<double>();
        long bytes = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var records = new List<byte[]>(Turns * 3);
            var started = Stopwatch.GetTimestamp();
            var turn = 0L;
            foreach (var (accepted, payloads, assigned, completed) in lives)
            {
                records.Add(TurnRecordCodec.Encode(new TurnRecord(++turn, 0, now, accepted, payloads)));
                records.Add(TurnRecordCodec.Encode(new TurnRecord(++turn, 0, now, assigned, EmptyPayloads)));
                records.Add(TurnRecordCodec.Encode(new TurnRecord(++turn, 0, now, completed, EmptyPayloads)));
            }

            encodeMicros.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds / (Turns * TurnSize));
            bytes = records.Sum(r => (long)r.Length);

            var committed = new Dictionary<Guid, TaskSnapshot>(Turns * TurnSize);
            started = Stopwatch.GetTimestamp();
            foreach (var record in records)
            {
                foreach (var task in TurnRecordCodec.Decode(record, committed.GetValueOrDefault).Changes)
                {
                    committed[task.Id] = task;
                }
            }

            decodeMicros.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds / (Turns * TurnSize));
        }

        encodeMicros.Sort();
        decodeMicros.Sort();
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"turn records per plain task (3 records, turns of {TurnSize}, {Turns * TurnSize:N0} tasks, 15-character payloads): " +
            $"{(double)bytes / (Turns * TurnSize):N1} bytes; encode median {encodeMicros[Rounds / 2]:N2} µs (min {encodeMicros[0]:N2}, max {encodeMicros[^1]:N2}); " +
            $"decode median {decodeMicros[Rounds / 2]:N2} µs (min {decodeMicros[0]:N2}, max {decodeMicros[^1]:N2}) over {Rounds} rounds"));
    }

    private static readonly Dictionary<Guid, string> EmptyPayloads = [];

    /// <summary>A turn of tasks accepted, the same assigned in the next turn, and completed in the one after.</summary>
    private static (List<TaskSnapshot>, Dictionary<Guid, string>, List<TaskSnapshot>, List<TaskSnapshot>) Lives(int first, DateTimeOffset now)
    {
        var accepted = Enumerable.Range(first, TurnSize)
            .Select(i => new TaskSnapshot(Guid.NewGuid(), i % 10, i + 1, TaskState.Pending, 0, null, now, null, null, null, null, null, "0123456789ABCDEF0123456789ABCDEF", 15))
            .ToList();
        var assigned = accepted.Select(t => t with
        {
            State = TaskState.Running, Attempts = 1, WorkerId = $"worker-{t.Sequence % 10}", AssignedAt = now.AddMilliseconds(2),
            History = [new TaskHistoryEntry(now.AddMilliseconds(2), TaskHistoryEvents.Assigned, $"worker-{t.Sequence % 10}", 1, null)],
        }).ToList();
        var completed = assigned.Select(t => t with
        {
            State = TaskState.Completed, StartedAt = now.AddMilliseconds(3), FinishedAt = now.AddMilliseconds(8),
            History =
            [
                .. t.History,
                new TaskHistoryEntry(now.AddMilliseconds(3), TaskHistoryEvents.Started, t.WorkerId, 1, null),
                new TaskHistoryEntry(now.AddMilliseconds(8), TaskHistoryEvents.Completed, t.WorkerId, 1, null),
            ],
        }).ToList();
        return (accepted, accepted.ToDictionary(t => t.Id, t => $"resize image {t.Sequence % 1000:D3}"), assigned, completed);
    }
}
