using System.Diagnostics;
using System.Globalization;
using LiteDB;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.UnitTests;

/// <summary>
/// What each of the task collection's indexes costs an insert and an update in LiteDB, with documents keyed as the
/// journal keys them (docs/benchmarks.md, "What stops targets 1 to 3"): a collection of 100,000 tasks, then turns
/// of 30 inserted (pending) and updated twice (running, completed) in one transaction each, once with only the
/// <c>_id</c> index and once with each other index added alone; the configurations alternate, round after round, and
/// each prints its median. An index costs the difference to "_id only". Explicit:
/// <c>dotnet test tests/TaskScheduler.UnitTests -c Release --filter FullyQualifiedName~JournalIndexCostBenchmark --logger "console;verbosity=detailed"</c>.
/// </summary>
[Explicit("a benchmark")]
[Category("bench")]
public class JournalIndexCostBenchmark
{
    private const int Existing = 100_000;
    private const int Turn = 30;
    private const int Turns = 300;
    private const int Rounds = 3;

    private static readonly (string Name, string? Expression)[] Indexes =
    [
        ("_id only", null),
        ("outcomeAt", "$.outcomeAt"),
        ("sequence", "$." + ListKeys.SequenceField),
        ("sk (state key)", "$." + ListKeys.StateField),
        ("pk (priority key)", "$." + ListKeys.PriorityField),
        ("wk (worker key)", "$." + ListKeys.WorkerField),
        ("dependsOn[*]", "$.dependsOn[*]"),
    ];

    [Test]
    public void EachIndex_InsertAndUpdateCost_PerTask()
    {
        var results = Indexes.Select(_ => new List<(double Insert, double Update)>()).ToArray();
        for (var round = 0; round < Rounds; round++)
        {
            for (var i = 0; i < Indexes.Length; i++)
            {
                results[i].Add(Measure(Indexes[i].Expression));
            }
        }

        for (var i = 0; i < Indexes.Length; i++)
        {
            var insert = Median(results[i].Select(r => r.Insert));
            var update = Median(results[i].Select(r => r.Update));
            TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Indexes[i].Name,-20} insert {insert,7:N1} µs per task, two updates {update,7:N1} µs per task (median of {Rounds})"));
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static (double Insert, double Update) Measure(string? expression)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"index-cost-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            using var db = new LiteDatabase(new ConnectionString { Filename = Path.Combine(directory, "journal.db") });
            var tasks = db.GetCollection("tasks");
            if (expression is not null)
            {
                tasks.EnsureIndex("probe", expression);
            }

            var sequence = 0L;
            foreach (var chunk in Enumerable.Range(0, Existing).Chunk(5_000))
            {
                db.BeginTrans();
                tasks.Insert(chunk.Select(_ => Task(++sequence, "Completed", $"w{sequence % 10}", final: true)));
                db.Commit();
            }

            db.Checkpoint();
            var insert = 0L;
            var update = 0L;
            for (var g = 0; g < Turns; g++)
            {
                var turn = Enumerable.Range(0, Turn).Select(_ => Task(++sequence, "Pending", null, final: false)).ToList();
                var started = Stopwatch.GetTimestamp();
                db.BeginTrans();
                tasks.Insert(turn);
                db.Commit();
                var inserted = Stopwatch.GetTimestamp();
                foreach (var (state, final) in new[] { ("Running", false), ("Completed", true) })
                {
                    db.BeginTrans();
                    tasks.Update(turn.Select(d => Task(d["sequence"].AsInt64, state, $"w{d["sequence"].AsInt64 % 10}", final, d["_id"].AsGuid)));
                    db.Commit();
                }

                insert += inserted - started;
                update += Stopwatch.GetTimestamp() - inserted;
            }

            double PerTask(long ticks) => ticks * 1e6 / Stopwatch.Frequency / (Turn * Turns);
            return (PerTask(insert), PerTask(update));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static BsonDocument Task(long sequence, string state, string? worker, bool final, Guid? id = null)
    {
        var document = new BsonDocument
        {
            ["_id"] = id ?? Guid.NewGuid(),
            ["sequence"] = sequence,
            ["state"] = state,
            ["priority"] = 0,
            ["payloadHash"] = "0123456789ABCDEF0123456789ABCDEF",
            [ListKeys.StateField] = $"{state}/{ListKeys.Sequence(sequence)}",
            [ListKeys.PriorityField] = $"{ListKeys.PriorityPrefix(0)}{ListKeys.Sequence(sequence)}",
        };
        if (worker is not null)
        {
            document["workerId"] = worker;
            document[ListKeys.WorkerField] = ListKeys.Worker(worker, sequence);
        }

        if (final)
        {
            document["outcomeAt"] = $"{state}/{ListKeys.Ticks(DateTimeOffset.UtcNow)}/{ListKeys.Sequence(sequence)}";
        }

        return document;
    }
}
