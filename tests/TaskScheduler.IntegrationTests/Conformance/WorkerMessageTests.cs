using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests.Conformance;

/// <summary>
/// What each worker really publishes, off the broker, through a life that sends every kind of event (joined,
/// heartbeats idle and with progress, a checkpoint, results, a pause, left): each body matches its JSON Schema, and
/// each message has the properties docs/workers.md specifies.
/// </summary>
[TestFixture(ConformanceWorkers.Dotnet)]
[TestFixture(ConformanceWorkers.Python)]
[Category("integration")]
public class WorkerMessageTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _language;

    public WorkerMessageTests(string language) => _language = language;

    [Test]
    public async Task EveryEventTheWorkerPublishes_MatchesItsSchema_AndCarriesTheSpecifiedProperties()
    {
        await using var system = await TestSystem.CreateAsync();
        await using var workers = new ConformanceWorkers(system);
        await system.StartSchedulerAsync(SchedulerArgs.QuickPreemption);
        var id = $"{_language}-messages";
        await using var capture = await WorkerEventCapture.StartAsync(system, id);
        var worker = workers.Start(_language, id, "messages", capacity: 1, drain: TimeSpan.FromSeconds(1));
        await system.WaitForWorkersAsync(id);

        var low = NewTask("steps 12");
        await system.SubmitAsync(low);
        await Eventually.That(async () => (await system.GetTaskAsync(low.Id))?.Checkpoint is not null, Patience, "a checkpoint");
        await system.SubmitAllAsync([NewTask("echo urgent") with { Priority = 10 }, NewTask("throw on purpose") with { Priority = 10 }]);
        var finals = await system.WaitForFinalStatesAsync([low.Id], Patience);
        Assert.That(finals, Contains.Key(low.Id), "the preempted task resumed and completed");
        worker.Terminate();
        Assert.That(await worker.WaitForExitAsync(Patience), Is.True);
        await Eventually.That(() => Task.FromResult(capture.Events.Any(e => e.Kind == "left")), Patience, "the left event's copy");

        var events = capture.Events;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(events.Select(e => e.Kind).Distinct(), Is.SupersetOf(new[]
            {
                Topology.WorkerEvents.Joined, Topology.WorkerEvents.Heartbeat, Topology.WorkerEvents.Checkpoint,
                Topology.WorkerEvents.Preempted, Topology.WorkerEvents.Results, Topology.WorkerEvents.Left,
            }));
            Assert.That(capture.SchemaProblems(), Is.Empty);
            Assert.That(events.Select(e => (e.Kind, e.Type)), Has.All.Matches<(string Kind, string? Type)>(e => e.Type == e.Kind), "type = the kind");
            Assert.That(events.Select(e => e.ContentType), Has.All.EqualTo("application/json"));
            Assert.That(events.Where(e => e.Kind == Topology.WorkerEvents.Heartbeat).Select(e => (e.DeliveryMode, e.Expiration)),
                Has.All.EqualTo((1, "60000")), "heartbeats transient, expiring after a minute");
            Assert.That(events.Where(e => e.Kind != Topology.WorkerEvents.Heartbeat).Select(e => e.DeliveryMode), Has.All.EqualTo(2), "everything else persistent");
            Assert.That(events.Where(e => e.Kind != Topology.WorkerEvents.Heartbeat).Select(e => e.Expiration), Has.All.Null);
            Assert.That(events[0].Kind, Is.EqualTo(Topology.WorkerEvents.Joined), "joined comes first");
            Assert.That(events[^1].Kind, Is.EqualTo(Topology.WorkerEvents.Left), "left comes last");
        }
    }

    private static SubmitTask NewTask(string payload) => new(Guid.NewGuid(), payload, 0) { Requires = ["messages"] };
}
