using TaskScheduler.Client;
using TaskScheduler.Client.Events;

namespace TaskScheduler.UnitTests.Client;

public class TaskEndTests
{
    private static readonly Guid Id = Guid.NewGuid();

    [Test]
    public void ResultOrThrow_GivesACompletedTasksResult() =>
        Assert.That(End(TaskEventKind.Completed, result: "done").ResultOrThrow(), Is.EqualTo("done"));

    [TestCase(TaskEventKind.Failed, "failed: disk full")]
    [TestCase(TaskEventKind.Cancelled, "was cancelled: disk full")]
    public void ResultOrThrow_ThrowsTaskFailed_WithTheError(TaskEventKind kind, string message)
    {
        var e = Assert.Throws<TaskFailedException>(() => End(kind, error: "disk full").ResultOrThrow());
        Assert.That((e!.TaskId, e.Kind, e.Error, e.Message), Is.EqualTo((Id, kind, "disk full", $"task {Id} {message}")));
    }

    [Test]
    public void ResultOrThrow_ThrowsTaskRejected_WithTheReason()
    {
        var e = Assert.Throws<TaskRejectedException>(() => End(TaskEventKind.Rejected, error: "a cycle").ResultOrThrow());
        Assert.That((e!.TaskId, e.Reason), Is.EqualTo((Id, "a cycle")));
    }

    private static TaskEnd End(TaskEventKind kind, string? result = null, string? error = null) =>
        new(Id, kind, result, error, 1, "w1", DateTimeOffset.UtcNow);
}
