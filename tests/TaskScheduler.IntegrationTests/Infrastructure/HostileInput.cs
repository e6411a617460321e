using System.Text;
using System.Text.Json;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>
/// Seeded generators of what a broken or hostile producer or worker might publish. Every submission made here is
/// invalid by construction; every worker message is either unreadable or a forgery the scheduler must fence off.
/// </summary>
public sealed class HostileInput
{
    private static readonly string[] WrongIds = ["42", "true", "null", "{}", "[]", "\"\"", "\"not-a-uuid\"", "\"c232ab00-9414-11ec-b3c8-9f6bdeced846\""];
    private static readonly string[] WrongPayloads = ["42", "true", "null", "{\"a\":1}", "[\"x\"]"];
    private static readonly string[] WrongPriorities = ["\"high\"", "1.5", "1e20", "{}", "[1]", "true", "99999999999"];
    private static readonly string[] NotObjects = ["42", "\"text\"", "null", "true", "[1,2,3]", "[]"];

    private readonly Random _random;

    public HostileInput(int seed) => _random = new Random(seed);

    /// <summary>An invalid submission and the kind of fault in it.</summary>
    public (string Kind, byte[] Body) InvalidSubmission(IReadOnlyList<SubmitTask> accepted)
    {
        var id = Guid.NewGuid();
        switch (_random.Next(10))
        {
            case 0:
                var noise = new byte[_random.Next(1, 300)];
                _random.NextBytes(noise);
                noise[0] = 0xFF; // never UTF-8, never JSON
                return ("random bytes", noise);
            case 1:
                var whole = JsonSerializer.SerializeToUtf8Bytes(new SubmitTask(id, Text(), _random.Next(-5, 5)), WireJson.Default.SubmitTask);
                return ("truncated", whole[.._random.Next(0, whole.Length - 1)]);
            case 2:
                return ("wrong id type", Utf8($"{{\"id\":{Pick(WrongIds)},\"payload\":\"x\",\"priority\":1}}"));
            case 3:
                return ("wrong payload type", Utf8($"{{\"id\":\"{id}\",\"payload\":{Pick(WrongPayloads)},\"priority\":1}}"));
            case 4:
                return ("wrong priority type", Utf8($"{{\"id\":\"{id}\",\"payload\":\"x\",\"priority\":{Pick(WrongPriorities)}}}"));
            case 5:
                return ("not an object", Utf8(Pick(NotObjects)));
            case 6:
                return ("missing field", Utf8(_random.Next(2) == 0 ? "{\"payload\":\"x\",\"priority\":1}" : $"{{\"id\":\"{id}\",\"priority\":1}}"));
            case 7:
                var prefix = Utf8($"{{\"id\":\"{id}\",\"payload\":\"");
                return ("non-UTF-8 payload", [.. prefix, 0xC3, 0x28, 0xFF, .. Utf8("\"}")]);
            case 8:
                return ("lone surrogate", Utf8($"{{\"id\":\"{id}\",\"payload\":\"a\\ud800b\"}}"));
            default:
                if (accepted.Count == 0)
                {
                    goto case 0;
                }

                // A forgery: the id of a task already submitted, with other content.
                var victim = accepted[_random.Next(accepted.Count)];
                return ("same id, other content", JsonSerializer.SerializeToUtf8Bytes(victim with { Payload = victim.Payload + " forged" }, WireJson.Default.SubmitTask));
        }
    }

    /// <summary>A submission with a payload of 2 MiB, twice the limit.</summary>
    public static byte[] Oversized() =>
        Utf8($"{{\"id\":\"{Guid.NewGuid()}\",\"payload\":\"{new string('z', 2 * 1024 * 1024)}\",\"priority\":1}}");

    /// <summary>
    /// A message on the events exchange that must change no task's state: unreadable bytes, unknown kinds,
    /// results (alone or in batches) for unknown tasks, under the wrong worker or for an attempt that is not the current one,
    /// heartbeats claiming tasks their sender does not hold, implausible workers, and extreme values: a 1 MiB error,
    /// times at the ends of the calendar, durations that overflow, attempts and capacities far out of range, joins and
    /// leaves of workers that do not exist.
    /// </summary>
    public (string RoutingKey, byte[] Body) Forgery(IReadOnlyList<SubmitTask> tasks, IReadOnlyList<string> workers, int capacity)
    {
        var worker = Pick(workers);
        var task = tasks.Count > 0 ? tasks[_random.Next(tasks.Count)].Id : Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        switch (_random.Next(11))
        {
            case 0:
                var noise = new byte[_random.Next(1, 200)];
                _random.NextBytes(noise);
                return (Topology.WorkerEventKey(worker, Pick(["result", "heartbeat", "joined", "left"])), noise);
            case 1:
                return (Topology.WorkerEventKey(worker, Pick(["bogus", "result.extra", ""])), Utf8("{}"));
            case 2:
                return Report(worker, new TaskFinished(worker, Guid.NewGuid(), 1, TaskOutcome.Completed, null, now, now));
            case 3:
                return Report("intruder", new TaskFinished("intruder", task, 1, TaskOutcome.Failed, "forged", now, now));
            case 4:
                var attempt = Pick([0, -1, 2, 99, int.MaxValue]);
                var stale = new TaskFinished(worker, task, attempt, TaskOutcome.Failed, "forged", now, now);

                // In a batch, sometimes beside a result that speaks for another worker: the whole batch is refused.
                return _random.Next(3) == 0
                    ? Report(worker, stale, new TaskFinished("intruder", task, 1, TaskOutcome.Failed, "forged", now, now))
                    : Report(worker, stale);
            case 5:
                var claimed = new[] { new RunningTask(task, 1), new RunningTask(Guid.NewGuid(), 3) };
                return (Topology.WorkerEventKey(worker, "heartbeat"),
                    JsonSerializer.SerializeToUtf8Bytes(new WorkerHeartbeat(worker, capacity, claimed, false, now), WireJson.Default.WorkerHeartbeat));
            case 7:
                var extreme = new TaskFinished(worker, task, Pick([99, int.MaxValue]), TaskOutcome.Failed, new string('e', 1024 * 1024),
                    Pick([DateTimeOffset.MaxValue, DateTimeOffset.MinValue]), Pick([DateTimeOffset.MinValue, DateTimeOffset.MaxValue]));
                return Report(worker, extreme);
            case 8:
                var paused = new TaskPreempted(worker, task, Pick([0, -7, 99, int.MaxValue]), Pick([new string('c', Limits.MaxCheckpointBytes + 1), "", null]), DateTimeOffset.MaxValue);
                return (Topology.WorkerEventKey(worker, Topology.WorkerEvents.Preempted), JsonSerializer.SerializeToUtf8Bytes(paused, WireJson.Default.TaskPreempted));
            case 9:
                var joined = new WorkerJoined("phantom", Pick([0, -1, 11, int.MaxValue, int.MinValue]), "nowhere", -1, Pick([DateTimeOffset.MaxValue, DateTimeOffset.MinValue]));
                return (Topology.WorkerEventKey("phantom", Topology.WorkerEvents.Joined), JsonSerializer.SerializeToUtf8Bytes(joined, WireJson.Default.WorkerJoined));
            case 10:
                var left = new WorkerLeft("phantom", [new RunningTask(task, int.MinValue) { Remaining = TimeSpan.MinValue }], DateTimeOffset.MinValue);
                return (Topology.WorkerEventKey("phantom", Topology.WorkerEvents.Left), JsonSerializer.SerializeToUtf8Bytes(left, WireJson.Default.WorkerLeft));
            default:
                var implausible = new WorkerHeartbeat(Pick(["intruder", "bad id!", ""]), Pick([0, -3, 11, 1000]), [new RunningTask(task, 1)], false, now);
                return (Topology.WorkerEventKey("intruder", "heartbeat"), JsonSerializer.SerializeToUtf8Bytes(implausible, WireJson.Default.WorkerHeartbeat));
        }
    }

    /// <summary>Results as a worker sends them, in a batch (<c>results</c>).</summary>
    private static (string RoutingKey, byte[] Body) Report(string sender, params TaskFinished[] results) =>
        (Topology.WorkerEventKey(sender, Topology.WorkerEvents.Results),
            JsonSerializer.SerializeToUtf8Bytes(new TasksFinished(sender, results), WireJson.Default.TasksFinished));

    private T Pick<T>(IReadOnlyList<T> choices) => choices[_random.Next(choices.Count)];

    private string Text() => $"payload {_random.Next()} {new string('p', _random.Next(0, 100))}";

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
