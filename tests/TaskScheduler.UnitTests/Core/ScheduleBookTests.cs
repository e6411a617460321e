using System.Text.Json.Nodes;
using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Schedules;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.UnitTests;

public class ScheduleBookTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    private static ScheduleDefinition Every2s(string name = "tick", string misfire = "run-once")
    {
        var ok = ScheduleRequestParser.TryParse(
            JsonNode.Parse($$"""{"name":"{{name}}","cron":"*/2 * * * * *","misfire":"{{misfire}}","payload":"tick","priority":3}""")!.AsObject(),
            out var definition, out var problem);
        Assert.That(ok, Is.True, problem);
        return definition!;
    }

    private static ScheduleBook Book(params ScheduleDefinition[] definitions)
    {
        var book = new ScheduleBook { MisfireThreshold = TimeSpan.FromSeconds(10) };
        foreach (var d in definitions)
        {
            book.Put(d, Guid.NewGuid(), Start);
        }

        return book;
    }

    private static List<DateTimeOffset> Due(ScheduleBook book, DateTimeOffset now, string name = "tick") =>
        [.. book.TakeDue(now).Where(d => d.Schedule.Name == name).Select(d => d.FireAt)];

    [Test]
    public void EachOccurrence_IsDueOnce_AtItsTime()
    {
        var book = Book(Every2s());

        Assert.Multiple(() =>
        {
            Assert.That(book.NextAt, Is.EqualTo(Start.AddSeconds(2)));
            Assert.That(Due(book, Start.AddSeconds(1)), Is.Empty);
            Assert.That(Due(book, Start.AddSeconds(2)), Is.EqualTo(new[] { Start.AddSeconds(2) }));
            Assert.That(Due(book, Start.AddSeconds(3)), Is.Empty, "fired already");
            Assert.That(Due(book, Start.AddSeconds(4.5)), Is.EqualTo(new[] { Start.AddSeconds(4) }));
        });
    }

    [Test]
    public void AShortStop_CatchesUpOnEveryOccurrence()
    {
        var book = Book(Every2s());

        Assert.That(Due(book, Start.AddSeconds(9)), Is.EqualTo(new[] { Start.AddSeconds(2), Start.AddSeconds(4), Start.AddSeconds(6), Start.AddSeconds(8) }));
    }

    [Test]
    public void ALongStop_RunsOnceForTheMissedOccurrences_OrSkipsThem()
    {
        var book = Book(Every2s("once", "run-once"), Every2s("skip", "skip"));
        var now = Start.AddSeconds(61);

        var due = book.TakeDue(now);
        var once = due.Where(d => d.Schedule.Name == "once").Select(d => d.FireAt).ToList();
        var skip = due.Where(d => d.Schedule.Name == "skip").Select(d => d.FireAt).ToList();
        var onTime = Enumerable.Range(26, 5).Select(i => Start.AddSeconds(2 * i)).ToList();

        Assert.Multiple(() =>
        {
            // 52 s to 60 s are within the 10 s threshold; 2 s to 50 s are misfires.
            Assert.That(skip, Is.EqualTo(onTime));
            Assert.That(once, Is.EqualTo(new[] { Start.AddSeconds(2) }.Concat(onTime)), "the first missed occurrence stands for all of them");
            Assert.That(Due(book, now, "once"), Is.Empty);
        });
    }

    [Test]
    public void PausedSchedule_FiresNothing_AndResumesFromNow()
    {
        var book = Book(Every2s());
        book.SetPaused("tick", paused: true, Start);

        Assert.That(Due(book, Start.AddSeconds(30)), Is.Empty);
        Assert.That(book.NextAt, Is.Null);
        book.SetPaused("tick", paused: false, Start.AddSeconds(30));
        Assert.That(Due(book, Start.AddSeconds(33)), Is.EqualTo(new[] { Start.AddSeconds(32) }));
    }

    [Test]
    public void PuttingTheSameDefinition_ChangesNothing_AndAnotherReplacesIt()
    {
        var book = Book(Every2s());
        var uid = book.Find("tick")!.Uid;

        Assert.That(book.Put(Every2s(), Guid.NewGuid(), Start), Is.EqualTo(ScheduleChange.Unchanged));
        Assert.That(book.Find("tick")!.Uid, Is.EqualTo(uid));
        Assert.That(book.Put(Every2s(misfire: "skip"), Guid.NewGuid(), Start), Is.EqualTo(ScheduleChange.Replaced));
        Assert.That(book.Find("tick")!.Uid, Is.Not.EqualTo(uid));
        Assert.That(book.Remove("tick"), Is.True);
        Assert.That(book.TakeChanges().Removed, Is.EqualTo(new[] { "tick" }));
    }

    [Test]
    public void OccurrenceTaskIds_AreVersion4_StableAndDistinct()
    {
        var uid = Guid.NewGuid();
        var a = ScheduleOccurrence.TaskId(uid, Start);

        Assert.Multiple(() =>
        {
            Assert.That(a.Version, Is.EqualTo(4));
            Assert.That(a.Variant & 0xC, Is.EqualTo(0x8));
            Assert.That(ScheduleOccurrence.TaskId(uid, Start), Is.EqualTo(a));
            Assert.That(ScheduleOccurrence.TaskId(uid, Start.AddSeconds(2)), Is.Not.EqualTo(a));
            Assert.That(ScheduleOccurrence.TaskId(Guid.NewGuid(), Start), Is.Not.EqualTo(a));
        });
    }

    [Test]
    public void AnOccurrence_IsTheSchedulesTaskWithItsOwnId()
    {
        var id = ScheduleOccurrence.TaskId(Guid.NewGuid(), Start);

        Assert.That(ScheduleRequestParser.TryOccurrence(Every2s().Task, id, out var task, out _), Is.True);
        Assert.That((task!.Id, task.Payload, task.Priority), Is.EqualTo((id, "tick", 3)));
    }

    [TestCase("""{"cron":"* * * * *","payload":"p"}""", "field 'name'")]
    [TestCase("""{"name":"a","cron":"every minute","payload":"p"}""", "field 'cron' is not a cron expression")]
    [TestCase("""{"name":"a","cron":"* * * * *","timeZone":"Mars/Olympus","payload":"p"}""", "field 'timeZone'")]
    [TestCase("""{"name":"a","cron":"* * * * *","misfire":"sometimes","payload":"p"}""", "field 'misfire'")]
    [TestCase("""{"name":"a","cron":"* * * * *"}""", "the schedule's task: missing required field 'payload'")]
    [TestCase("""{"name":"a","cron":"* * * * *","payload":"p","runAt":"2026-12-01T00:00:00Z"}""", "a schedule's task cannot have 'runAt'")]
    [TestCase("""{"name":"a","cron":"* * * * *","payload":"p","priority":"high"}""", "the schedule's task: field 'priority'")]
    public void BadSchedule_IsRefusedWithAReason(string json, string reason)
    {
        Assert.That(ScheduleRequestParser.TryParse(JsonNode.Parse(json)!.AsObject(), out _, out var problem), Is.False);
        Assert.That(problem, Does.StartWith(reason));
    }
}
