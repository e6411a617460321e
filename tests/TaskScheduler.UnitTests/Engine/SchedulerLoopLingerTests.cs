using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.UnitTests.Engine;

/// <summary>
/// <c>Scheduler:TurnLinger</c>: after a small turn the loop lets inputs gather for that long (on its clock), so that
/// what arrives meanwhile shares one turn's write, fsync and messages.
/// </summary>
[CancelAfter(60_000)]
public class SchedulerLoopLingerTests : EngineOnFakes
{
    [Test]
    public async Task AfterASmallTurn_InputsArrivingDuringTheLinger_ShareTheNextTurn()
    {
        var inputs = Channel.CreateUnbounded<SchedulerInput>();
        var settings = new LoopSettings(TimeSpan.FromHours(1), 2000) { TurnLinger = TimeSpan.FromSeconds(1) };
        using var loop = new SchedulerLoop(Engine, new FakeInputSource(Log), inputs, State, settings, Clock, NullLogger<SchedulerLoop>.Instance);
        await loop.StartAsync(CancellationToken.None);
        var first = Guid.NewGuid();
        var later = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToList();

        await inputs.Writer.WriteAsync(Submission(first, 1));
        await Log.WaitFor(e => e == $"write {first}", "the first turn");
        foreach (var (id, tag) in later.Select((id, i) => (id, (ulong)i + 2)))
        {
            await inputs.Writer.WriteAsync(Submission(id, tag));
        }

        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var writesDuringTheLinger = Log.Entries.Count(e => e.StartsWith("write ", StringComparison.Ordinal));
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Log.WaitFor(e => e == $"write {string.Join(",", later.Order())}", "one turn of the three");
        await loop.StopAsync(CancellationToken.None);

        Assert.That(writesDuringTheLinger, Is.EqualTo(1), "nothing written while the loop lingered");
    }

    private static BrokerSubmission Submission(Guid id, ulong tag)
    {
        var payload = $"job {id}";
        return new BrokerSubmission(tag, new ParsedSubmission(id, payload, 0, SubmissionParser.ContentHash(payload), payload.Length), null, Encoding.UTF8.GetBytes(payload), null);
    }
}
