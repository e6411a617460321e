using TaskScheduler.Client.Events;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>Events:States: a deployment that publishes only the final events still serves a waiting client.</summary>
[TestFixture]
[Category("integration")]
public class EventStatesTests
{
    [Test]
    public async Task OnlyFinalEvents_NoPendingOrRunningIsPublished_AndSubmitWaitStillEnds()
    {
        await using var system = await TestSystem.CreateAsync();
        await using var events = await system.RecordEventsAsync();
        await system.StartSchedulerAsync(["--Events:States=completed,failed"]);
        system.StartWorker("states-1");
        await system.WaitForWorkersAsync("states-1");

        var id = Guid.NewGuid();
        var submit = await CliRun.RunAsync(system, null, "submit", "only the end", "--id", id.ToString(), "--wait");
        var others = Enumerable.Range(0, 20).Select(i => new SubmitTask(Guid.NewGuid(), $"task {i}", 0)).ToList();
        await system.SubmitAllAsync(others);
        // Events go out in order on one channel: once every final event is here, any earlier one would be too.
        var ids = others.Select(t => t.Id).Append(id).ToHashSet();
        await events.WaitUntilAsync(seen => ids.All(i => seen.Any(e => e.TaskId == i && e.IsFinal)), TimeSpan.FromSeconds(60), "the final events");

        var kinds = events.Snapshot().Where(e => ids.Contains(e.TaskId)).Select(e => e.Kind).Distinct().ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(submit.ExitCode, Is.Zero, submit.Error);
            Assert.That(submit.Error, Does.Contain("completed"), "--wait heard the end");
            Assert.That(kinds, Does.Not.Contain(TaskEventKind.Pending).And.Not.Contain(TaskEventKind.Running));
            Assert.That(kinds, Does.Contain(TaskEventKind.Completed));
        }
    }
}
