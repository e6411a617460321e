using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.UnitTests.Schemas;

/// <summary>
/// What the .NET worker and the scheduler put on the wire, serialized as they serialize it (<see cref="WireJson"/>),
/// in each shape they send (optional fields present and absent), matches the schema docs/workers.md points to; and
/// each schema refuses a message the scheduler would ignore or misread.
/// </summary>
[TestFixture]
public class WorkerProtocolSchemaTests
{
    private static readonly Guid TaskId = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
    private static readonly DateTimeOffset At = new(2026, 11, 30, 5, 3, 39, 123, TimeSpan.Zero);

    private static IEnumerable<TestCaseData> WorkerMessages()
    {
        yield return Case("joined", new WorkerJoined("w1", 4, "node-7", 4242, At), WireJson.Default.WorkerJoined, "joined without tags");
        yield return Case("joined", new WorkerJoined("w-2_b", 10, "node-7", 1, At.ToOffset(TimeSpan.FromHours(2))) { Tags = ["gpu", "eu-west", "a.b:c"] }, WireJson.Default.WorkerJoined, "joined with tags");
        yield return Case("heartbeat", new WorkerHeartbeat("w1", 1, [], false, At), WireJson.Default.WorkerHeartbeat, "idle heartbeat");
        yield return Case("heartbeat", new WorkerHeartbeat("w1", 4,
        [
            new RunningTask(TaskId, 2),
            new RunningTask(TaskId, 3) { Remaining = TimeSpan.FromSeconds(3.2), Progress = new TaskProgress(0.4, "row 400 of 1000", At) },
            new RunningTask(TaskId, 4) { Remaining = TimeSpan.FromDays(2.5), Progress = new TaskProgress(1, null, At) },
        ], true, At) { Tags = ["gpu"] }, WireJson.Default.WorkerHeartbeat, "draining heartbeat with progress");
        yield return Case("heartbeat", new WorkerHeartbeat("w1", 1, [], false, At) { Term = 3, RefusedOrders = 2 }, WireJson.Default.WorkerHeartbeat, "heartbeat of a worker that has seen a term");
        yield return Case("results", new TasksFinished("w1",
        [
            new TaskFinished("w1", TaskId, 2, TaskOutcome.Completed, null, At, At.AddSeconds(5)) { Result = "42 rows", StartDelayMs = 0.125 },
            new TaskFinished("w1", TaskId, 3, TaskOutcome.Completed, null, At, At),
            new TaskFinished("w1", TaskId, 4, TaskOutcome.Failed, "timed out after 1.5s", At, At.AddSeconds(1.5)) { StartDelayMs = 3 },
        ]), WireJson.Default.TasksFinished, "results");
        yield return Case("preempted", new TaskPreempted("w1", TaskId, 2, "row 400", At), WireJson.Default.TaskPreempted, "preempted with a checkpoint");
        yield return Case("preempted", new TaskPreempted("w1", TaskId, 2, null, At), WireJson.Default.TaskPreempted, "preempted keeping the last checkpoint");
        yield return Case("checkpoint", new TaskCheckpointed("w1", TaskId, 2, "", At), WireJson.Default.TaskCheckpointed, "checkpoint");
        yield return Case("left", new WorkerLeft("w1", [], At), WireJson.Default.WorkerLeft, "left handing back nothing");
        yield return Case("left", new WorkerLeft("w1", [new RunningTask(TaskId, 2)], At), WireJson.Default.WorkerLeft, "left handing back an attempt");
    }

    private static IEnumerable<TestCaseData> SchedulerMessages()
    {
        var first = new AssignTask(TaskId, 1, 0, "resize image 42", At) { TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
        var resumed = new AssignTask(TaskId, 3, -5, "", At) { Checkpoint = "row 400", Timeout = TimeSpan.FromMinutes(5), TraceState = "congo=t61rcWkgMzE" };
        yield return Case("assign-batch", new AssignTasks([first, resumed]), WireJson.Default.AssignTasks, "assignment batch");
        yield return Case("assign", first, WireJson.Default.AssignTask, "single assignment");
        yield return Case("assign", resumed with { TraceParent = null, TraceState = null, Timeout = TimeSpan.FromDays(7) }, WireJson.Default.AssignTask, "single assignment resumed");
        foreach (var reason in new[] { "cancelled on request", "cancelled on request: no longer needed", "superseded" })
        {
            yield return Case("cancel", new CancelTask(TaskId, 2, reason), WireJson.Default.CancelTask, $"cancel: {reason}");
        }

        yield return Case("preempt", new PreemptTask(TaskId, 2, $"for task {Guid.NewGuid()} of priority 10"), WireJson.Default.PreemptTask, "preempt");
        yield return Case("assign-batch", new AssignTasks([first with { Term = 4 }, resumed with { Term = 4 }]), WireJson.Default.AssignTasks, "assignment batch of a term");
        yield return Case("assign", first with { Term = 4 }, WireJson.Default.AssignTask, "single assignment of a term");
        yield return Case("cancel", new CancelTask(TaskId, 2, "superseded") { Term = 4 }, WireJson.Default.CancelTask, "cancel of a term");
        yield return Case("preempt", new PreemptTask(TaskId, 2, "for a task of priority 10") { Term = 4 }, WireJson.Default.PreemptTask, "preempt of a term");
        yield return Case("leads", new SchedulerLeads(4, At), WireJson.Default.SchedulerLeads, "a new leader's term");
    }

    [TestCaseSource(nameof(WorkerMessages))]
    [TestCaseSource(nameof(SchedulerMessages))]
    public void WhatTheProgramsSend_MatchesItsSchema(string schema, byte[] json) =>
        Assert.That(WorkerProtocolSchemas.Problems(schema, json), Is.Empty, System.Text.Encoding.UTF8.GetString(json));

    [TestCase("heartbeat", """{"workerId":"w1","capacity":4,"draining":false,"at":"2026-11-30T05:03:40+00:00"}""", TestName = "A heartbeat without running is refused")]
    [TestCase("heartbeat", """{"workerId":"w1","capacity":11,"running":[],"draining":false,"at":"2026-11-30T05:03:40+00:00"}""", TestName = "A capacity over 10 is refused")]
    [TestCase("joined", """{"workerId":"w.1","capacity":1,"host":"h","processId":1,"at":"2026-11-30T05:03:40+00:00"}""", TestName = "A worker id with a dot is refused")]
    [TestCase("joined", """{"workerId":"w1","capacity":1,"host":"h","processId":1}""", TestName = "A joined without at is refused")]
    [TestCase("results", """{"workerId":"w1","results":[{"workerId":"w1","taskId":"0f8fad5b-d9cb-469f-a165-70867728950e","attempt":1,"outcome":"Completed","finishedAt":"2026-11-30T05:03:40+00:00"}]}""", TestName = "A result without startedAt is refused")]
    [TestCase("results", """{"workerId":"w1","results":[{"workerId":"w1","taskId":"0f8fad5b-d9cb-469f-a165-70867728950e","attempt":1,"outcome":"completed","startedAt":"2026-11-30T05:03:40+00:00","finishedAt":"2026-11-30T05:03:40+00:00"}]}""", TestName = "An outcome in lower case is refused")]
    [TestCase("results", """{"workerId":"w1","results":[]}""", TestName = "Results without a result are refused")]
    [TestCase("checkpoint", """{"workerId":"w1","taskId":"0f8fad5b-d9cb-469f-a165-70867728950e","attempt":1,"checkpoint":null,"at":"2026-11-30T05:03:40+00:00"}""", TestName = "A null checkpoint is refused")]
    [TestCase("left", """{"workerId":"w1","handedBack":[{"taskId":"0f8fad5b-d9cb-469f-a165-70867728950e","attempt":0}],"at":"2026-11-30T05:03:40+00:00"}""", TestName = "An attempt 0 is refused")]
    [TestCase("assign", """{"taskId":"0f8fad5b-d9cb-469f-a165-70867728950e","attempt":1,"priority":0,"payload":"x","assignedAt":"2026-11-30T05:03:40+00:00","timeout":"PT5M"}""", TestName = "An ISO 8601 duration in an order is refused")]
    [TestCase("assign", """{"taskId":"0f8fad5b-d9cb-469f-a165-70867728950e","attempt":1,"priority":0,"payload":"x","assignedAt":"2026-11-30T05:03:40+00:00","term":-1}""", TestName = "A negative term is refused")]
    [TestCase("leads", """{"at":"2026-11-30T05:03:40+00:00"}""", TestName = "A leads without its term is refused")]
    public void AMessageTheSchedulerWouldIgnoreOrMisread_IsRefused(string schema, string json) =>
        Assert.That(WorkerProtocolSchemas.Problems(schema, System.Text.Encoding.UTF8.GetBytes(json)), Is.Not.Empty);

    [Test]
    public void EveryMessageKind_HasASchema() =>
        Assert.That(WorkerProtocolSchemas.Names, Is.EquivalentTo(new[]
        {
            Topology.WorkerEvents.Joined, Topology.WorkerEvents.Heartbeat, Topology.WorkerEvents.Results, Topology.WorkerEvents.Preempted,
            Topology.WorkerEvents.Checkpoint, Topology.WorkerEvents.Left, Topology.AssignmentTypes.One, Topology.AssignmentTypes.Batch,
            Topology.ControlTypes.Cancel, Topology.ControlTypes.Preempt, Topology.ControlTypes.Leads,
        }));

    private static TestCaseData Case<T>(string schema, T message, JsonTypeInfo<T> type, string name) =>
        new TestCaseData(schema, JsonSerializer.SerializeToUtf8Bytes(message, type)) { TestName = $"{name} matches {schema}.schema.json" };
}
