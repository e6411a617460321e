using System.Text;
using TaskScheduler.Client.Events;
using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

[TestFixture]
[Category("integration")]
public class BadInputTests
{
    [Test]
    public async Task EveryKindOfBadSubmission_IsRejectedWithAReason_AndTheSystemKeepsServing()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorker("w1", capacity: 2);
        await system.WaitForWorkersAsync("w1");
        await using var events = await system.RecordEventsAsync();

        var original = Tasks.New(priority: 1, payload: "the original");
        await system.SubmitAsync(original);
        await events.WaitForFinalAsync([original.Id], TimeSpan.FromSeconds(30));

        var wrongPriority = Guid.NewGuid();
        var oversized = Guid.NewGuid();
        var bad = new (string Name, byte[] Body, string Reason, Guid? Id)[]
        {
            ("malformed JSON", Utf8("{\"id\": \"oops"), "malformed JSON", null),
            ("not an object", Utf8("[1, 2, 3]"), "JSON object", null),
            ("missing id", Utf8("{\"payload\": \"x\", \"priority\": 1}"), "missing required field 'id'", null),
            ("id as a number", Utf8("{\"id\": 42, \"payload\": \"x\"}"), "field 'id' must be a UUIDv4 string", null),
            ("version-1 id", Utf8("{\"id\": \"c232ab00-9414-11ec-b3c8-9f6bdeced846\", \"payload\": \"x\"}"), "version-4", null),
            ("priority as text", Utf8($"{{\"id\": \"{wrongPriority}\", \"payload\": \"x\", \"priority\": \"high\"}}"), "field 'priority' must be an integer", wrongPriority),
            ("payload over 1 MiB", Utf8($"{{\"id\": \"{oversized}\", \"payload\": \"{new string('a', Limits.MaxPayloadBytes + 1)}\"}}"), "limit is 1048576", oversized),
            ("not UTF-8", [0xFF, 0xFE, 0x7B, 0x00, 0xC3], "malformed JSON", null),
            ("same id, other content", Utf8($"{{\"id\": \"{original.Id}\", \"payload\": \"something else\", \"priority\": 1}}"), "other content", original.Id),
        };

        foreach (var message in bad)
        {
            await system.PublishAsync(message.Body);
        }

        // A harmless resubmission (same id, same content) is accepted silently, and a fresh task still runs.
        await system.SubmitAsync(original);
        var after = Tasks.New();
        await system.SubmitAsync(after);
        await events.WaitForFinalAsync([after.Id], TimeSpan.FromSeconds(30));

        var rejected = await system.DrainRejectedAsync();
        var rejectionEvents = events.Snapshot().Where(e => e.Kind == TaskEventKind.Rejected).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rejected, Has.Count.EqualTo(bad.Length), "one rejected message per bad submission, and none for the resubmission");
            for (var i = 0; i < Math.Min(bad.Length, rejected.Count); i++)
            {
                Assert.That(rejected[i].Reason, Does.Contain(bad[i].Reason), bad[i].Name);
                Assert.That(rejected[i].Body, Is.EqualTo(bad[i].Body), $"{bad[i].Name}: the original bytes are kept");
            }

            foreach (var message in bad.Where(b => b.Id is not null))
            {
                Assert.That(rejectionEvents.Any(e => e.TaskId == message.Id && e.Error!.Contains(message.Reason, StringComparison.Ordinal)), Is.True,
                    $"{message.Name}: a task.{{id}}.rejected event tells the producer");
            }

            Assert.That(events.Finals()[after.Id].State, Is.EqualTo(TaskState.Completed), "the scheduler keeps serving");
            Assert.That(system.Scheduler!.HasExited, Is.False);
        }

        var kept = await system.GetTaskAsync(original.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(kept!.State, Is.EqualTo(TaskState.Completed), "the conflicting submission did not touch the original");
            Assert.That(kept.Attempts, Is.EqualTo(1), "the duplicate did not run it again");
        }
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
