using System.Text.Json;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.UnitTests;

/// <summary>What <c>GET /api/tasks/{id}</c> writes can be read back by whoever submitted the task.</summary>
public class TaskStatusJsonTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [TestCase("PT5M")]
    [TestCase("P1DT2H30M")]
    [TestCase("PT0.001S")]
    [TestCase("P30D")]
    [TestCase("00:00:01.5")]
    [TestCase("2.03:04:05.678")]
    public void Timeout_IsWrittenInAFormASubmissionAccepts(string submitted)
    {
        Assert.That(TaskTimeout.TryParse(submitted, out var timeout, out var problem), Is.True, problem);
        var status = new TaskStatusView(Guid.NewGuid(), TaskState.Pending, 0, 0, null, Now, null, null, null, null, 1) { Timeout = timeout };

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(status, WireJson.Default.TaskStatusView));
        var written = json.RootElement.GetProperty("timeout").GetString();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(TaskTimeout.TryParse(written, out var read, out problem), Is.True, problem);
            Assert.That(read, Is.EqualTo(timeout), $"{submitted} written as {written}");
        }
    }

    [Test]
    public void ResultProgressAndCheckpoint_AreWrittenAsTheyAre()
    {
        const string result = "«déjà vu» \"quoted\"\n✓ 🙂";
        var status = new TaskStatusView(Guid.NewGuid(), TaskState.Running, 0, 1, "w1", Now, Now, null, null, null, 1)
        {
            Result = result,
            Checkpoint = "page=7",
            Progress = new TaskProgress(0.5, "half", Now),
        };

        var read = JsonSerializer.Deserialize(JsonSerializer.Serialize(status, WireJson.Default.TaskStatusView), WireJson.Default.TaskStatusView)!;

        Assert.That((read.Result, read.Checkpoint, read.Progress, read.Timeout), Is.EqualTo((result, "page=7", status.Progress, (TimeSpan?)null)));
    }
}
