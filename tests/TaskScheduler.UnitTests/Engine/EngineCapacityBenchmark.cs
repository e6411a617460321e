using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Liveness;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Journal;
using TaskScheduler.Scheduler.Observability;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.UnitTests.Engine;

/// <summary>
/// Issue 28's target 2, the scheduler alone: the real engine on the real LiteDB journal with fsync, driven in process
/// with no broker. Tasks are submitted in turns of up to 500, ten workers of capacity 10 complete each assignment as
/// soon as delivery sends it, and every task is accepted, dispatched and completed. Reports tasks per CPU-second of
/// the whole process (the target: at least 20,000) and per wall second. Explicit:
/// <c>dotnet test tests/TaskScheduler.UnitTests -c Release --filter FullyQualifiedName~EngineCapacityBenchmark --logger "console;verbosity=detailed"</c>.
/// </summary>
[Explicit("a benchmark")]
[Category("bench")]
public class EngineCapacityBenchmark : TempDirectoryTests
{
    private const int Tasks = 30_000;
    private const int Workers = 10;
    private const int Capacity = 10;
    private const int SubmissionsPerTurn = 500;
    private const int Rounds = 3;

    [Test]
    public async Task PlainTasks_AcceptedDispatchedAndCompleted_ThroughTheRealJournal()
    {
        var perCpuSecond = new List<double>();
        var perSecond = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            var (cpu, wall) = await RunOnceAsync(Path.Combine(TestDirectory, $"journal-{round}.db"));
            perCpuSecond.Add(Tasks / cpu.TotalSeconds);
            perSecond.Add(Tasks / wall.TotalSeconds);
        }

        perCpuSecond.Sort();
        perSecond.Sort();
        await TestContext.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"engine alone, real journal with fsync, {Tasks:N0} plain tasks, {Workers} workers x {Capacity}: median {perCpuSecond[Rounds / 2]:N0} tasks per CPU-second " +
            $"({1000 / perCpuSecond[Rounds / 2]:N3} CPU-ms per task; min {perCpuSecond[0]:N0}, max {perCpuSecond[^1]:N0}), {perSecond[Rounds / 2]:N0} tasks per second, over {Rounds} rounds"));
    }

    private static async Task<(TimeSpan Cpu, TimeSpan Wall)> RunOnceAsync(string path)
    {
        using var journal = new TaskJournal(path, durable: true);
        using var workers = new InstantWorkers();
        using var tracing = new TaskTracing();
        using var stop = new CancellationTokenSource();
        var engine = EngineOnFakes.Build(journal, workers, TimeProvider.System, tracing, new PublishedView(), new JournalStatus());
        var delivery = Task.Run(() => engine.DeliverAsync(stop.Token));
        var tag = 0UL;
        var joined = Enumerable.Range(0, Workers)
            .Select(i => (SchedulerInput)new WorkerMessage(++tag, new WorkerJoined($"w{i}", Capacity, "host", 1, DateTimeOffset.UtcNow)))
            .ToList();
        await engine.RunAsync(joined, checkLiveness: false, drained: true, stop.Token);

        var submissions = Enumerable.Range(0, Tasks).Select(i => Submission(i)).ToList();
        var next = 0;
        var completed = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        while (completed < Tasks)
        {
            var inputs = new List<SchedulerInput>();
            for (var n = 0; n < SubmissionsPerTurn && next < submissions.Count; n++)
            {
                inputs.Add(submissions[next++] with { DeliveryTag = ++tag });
            }

            var results = workers.Take();
            foreach (var byWorker in results.GroupBy(r => r.WorkerId))
            {
                inputs.Add(new WorkerMessage(++tag, new TasksFinished(byWorker.Key, [.. byWorker])));
            }

            completed += results.Count;
            if (inputs.Count == 0)
            {
                await workers.WaitAsync(stop.Token);
                continue;
            }

            await engine.RunAsync(inputs, checkLiveness: false, drained: true, stop.Token);
        }

        // Every completion applied; the last turn's delivery is part of the work.
        await engine.RunAsync([], checkLiveness: false, drained: true, stop.Token);
        engine.CompleteDelivery();
        await delivery;

        // The documents the materializer has not yet written are part of the work too.
        journal.CatchUp();
        var wall = Stopwatch.GetElapsedTime(started);
        Assert.That(
            submissions.Select(s => s.Parsed!.Id).Where((_, i) => i % 1000 == 0).Select(id => journal.Find(id)?.State),
            Is.All.EqualTo(TaskState.Completed),
            "every task ends Completed in the journal");
        return (Process.GetCurrentProcess().TotalProcessorTime - cpu, wall);
    }

    private static BrokerSubmission Submission(int i)
    {
        var payload = $"resize image {i}";
        return new BrokerSubmission(0, new ParsedSubmission(Guid.NewGuid(), payload, i % 10, SubmissionParser.ContentHash(payload), payload.Length), null, Encoding.UTF8.GetBytes(payload), null);
    }

    /// <summary>Workers that finish each assignment the moment delivery sends it: the result waits for the next turn.</summary>
    private sealed class InstantWorkers : ITurnPublisher, IDisposable
    {
        private readonly ConcurrentQueue<TaskFinished> _results = new();
        private readonly SemaphoreSlim _arrived = new(0);

        public List<TaskFinished> Take()
        {
            var taken = new List<TaskFinished>();
            while (_results.TryDequeue(out var result))
            {
                taken.Add(result);
            }

            return taken;
        }

        public Task<bool> WaitAsync(CancellationToken ct) => _arrived.WaitAsync(TimeSpan.FromMilliseconds(50), ct);

        public void Dispose() => _arrived.Dispose();

        public Task<IReadOnlyList<Assignment>> PublishOrdersAsync(
            IReadOnlyList<(Assignment Assignment, string Payload)> assignments,
            IReadOnlyList<TaskStateChanged> events,
            IReadOnlyList<WorkerCancel> cancels,
            IReadOnlyList<WorkerPreempt> preempts,
            CancellationToken ct)
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var (a, _) in assignments)
            {
                _results.Enqueue(new TaskFinished(a.WorkerId, a.TaskId, a.Attempt, TaskOutcome.Completed, null, now, now));
            }

            if (assignments.Count > 0)
            {
                _arrived.Release();
            }

            return Task.FromResult<IReadOnlyList<Assignment>>([]);
        }

        public Task PublishRejectionsAsync(IReadOnlyList<RejectedInput> rejected, IReadOnlyList<TaskRejected> rejectionEvents, CancellationToken ct) =>
            Task.CompletedTask;

        public Task AckSubmissionsAsync(ulong upToTag, CancellationToken ct) => Task.CompletedTask;

        public Task AckWorkerEventsAsync(ulong upToTag, CancellationToken ct) => Task.CompletedTask;

        public Task AckCancelsAsync(ulong upToTag, CancellationToken ct) => Task.CompletedTask;

        public Task DeleteWorkerQueuesAsync(string workerId, CancellationToken ct) => Task.CompletedTask;

        public void Probe()
        {
            // No broker, no alarm to hear of.
        }
    }
}
