using System.Text;
using System.Text.Json;
using TaskScheduler.Client.Events;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.UnitTests.Client;

public class TaskEventDecoderTests
{
    private static readonly Guid Id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
    private static readonly DateTimeOffset At = new(2026, 11, 30, 5, 0, 0, TimeSpan.Zero);

    [Test]
    public void Decode_ReadsACompletionAsTheSchedulerPublishesIt()
    {
        var change = new TaskStateChanged(Id, TaskState.Completed, 5, 2, "w1", null, At, At.AddSeconds(-1), At)
        {
            Result = "42 thumbnails",
            ResultBytes = 13,
        };
        var body = JsonSerializer.SerializeToUtf8Bytes(change, WireJson.Default.TaskStateChanged);

        Assert.That(TaskEventDecoder.TryDecode($"task.{Id}.completed", body, out var e), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((e!.TaskId, e.Kind, e.State, e.Priority, e.Attempt, e.WorkerId), Is.EqualTo((Id, TaskEventKind.Completed, TaskState.Completed, 5, 2, "w1")));
            Assert.That((e.Result, e.ResultBytes, e.StartedAt, e.FinishedAt), Is.EqualTo(("42 thumbnails", 13, At.AddSeconds(-1), At)));
            Assert.That(e.IsFinal, Is.True);
            Assert.That(e.HasResultToFetch, Is.False);
        }
    }

    [Test]
    public void Decode_SaysALargeResultIsToBeFetched_WhenTheEventCarriesOnlyItsSize()
    {
        var body = Encoding.UTF8.GetBytes(
            $"{{\"taskId\":\"{Id}\",\"state\":\"Completed\",\"priority\":0,\"attempt\":1,\"workerId\":\"w1\",\"error\":null,\"at\":\"2026-11-30T05:00:00+00:00\",\"resultBytes\":70000}}");

        Assert.That(TaskEventDecoder.TryDecode($"task.{Id}.completed", body, out var e), Is.True);
        Assert.That((e!.Result, e.ResultBytes, e.HasResultToFetch), Is.EqualTo(((string?)null, 70000, true)));
    }

    [Test]
    public void Decode_ReadsARejectionWithItsReason_AndItIsNoFinalState()
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new TaskRejected(Id, "id taken by other content", At), WireJson.Default.TaskRejected);

        Assert.That(TaskEventDecoder.TryDecode($"task.{Id}.rejected", body, out var e), Is.True);
        Assert.That((e!.Kind, e.Error, e.State, e.IsFinal), Is.EqualTo((TaskEventKind.Rejected, "id taken by other content", (TaskState?)null, false)));
    }

    [TestCase("worker.w1.heartbeat")]
    [TestCase("task.not-a-guid.completed")]
    [TestCase("task.0f8fad5b-d9cb-469f-a165-70867728950e.exploded")]
    [TestCase("task.0f8fad5b-d9cb-469f-a165-70867728950e")]
    [TestCase("tasks.0f8fad5b-d9cb-469f-a165-70867728950e.completed")]
    public void Decode_RefusesWhatIsNotATaskEvent(string routingKey)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new TaskStateChanged(Id, TaskState.Completed, 0, 1, "w1", null, At), WireJson.Default.TaskStateChanged);

        Assert.That(TaskEventDecoder.TryDecode(routingKey, body, out _), Is.False);
    }

    [TestCase("")]
    [TestCase("{")]
    [TestCase("null")]
    [TestCase("{\"taskId\":\"x\",\"state\":\"Exploded\"}")]
    public void Decode_RefusesAnUnreadableBody(string body) =>
        Assert.That(TaskEventDecoder.TryDecode($"task.{Id}.failed", Encoding.UTF8.GetBytes(body), out _), Is.False);

    [Test]
    public void ReadKey_TellsWhoseAndWhat_WithoutTheBody()
    {
        Assert.That(TaskEventDecoder.TryReadKey($"task.{Id}.pending", out var id, out var kind), Is.True);
        Assert.That((id, kind), Is.EqualTo((Id, TaskEventKind.Pending)));
    }

    [Test]
    public void Key_BindsOneTaskOrOneKindOfEveryTask()
    {
        Assert.That(TaskEventDecoder.Key(Id, null), Is.EqualTo($"task.{Id}.*"));
        Assert.That(TaskEventDecoder.Key(null, TaskEventKind.Rejected), Is.EqualTo("task.*.rejected"));
    }
}
