using System.Text;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.UnitTests;

public class SubmissionOptionFieldsTests
{
    private const string Id = "3f2b8c1e-5a4d-4e6f-9b7a-1c2d3e4f5a6b";

    private static (ParsedSubmission? Task, string? Problem) Parse(string fields)
    {
        var ok = SubmissionParser.TryParseMessage(Encoding.UTF8.GetBytes($$"""{"id":"{{Id}}","payload":"p",{{fields}}}"""), out var task, out _, out var rejection);
        return ok ? (task, null) : (null, rejection!.Reason);
    }

    [TestCase("2026-12-01T02:00:00.1234567Z", "2026-12-01T02:00:00.1240000Z")]
    [TestCase("2026-12-01T02:00:00.123Z", "2026-12-01T02:00:00.1230000Z")]
    [TestCase("2026-12-01T02:00:00.9999999Z", "2026-12-01T02:00:01.0000000Z")]
    public void RunAt_IsKeptToTheMillisecond_AsTheJournalKeepsIt_RoundedUpSoTheTaskNeverStartsEarlier(string asked, string kept)
    {
        var (task, problem) = Parse($"\"runAt\":\"{asked}\"");

        Assert.That(problem, Is.Null);
        Assert.That(task!.RunAt, Is.EqualTo(DateTimeOffset.Parse(kept, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void TheJournalClock_TakesTheTimeToTheMillisecond_AndLeavesTimestampsAlone()
    {
        var system = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_567));
        var clock = new TaskScheduler.Scheduler.Journal.JournalClock(system);

        Assert.That(clock.GetUtcNow(), Is.EqualTo(new DateTimeOffset(2026, 12, 7, 12, 0, 0, 123, TimeSpan.Zero)));
        Assert.That(clock.GetTimestamp(), Is.EqualTo(system.GetTimestamp()));
    }

    [Test]
    public void RunAt_IsReadAsUtc_FromAnyOffset()
    {
        var (task, problem) = Parse("\"runAt\":\"2026-12-01T03:00:00+01:00\"");

        Assert.That(problem, Is.Null);
        Assert.That(task!.RunAt, Is.EqualTo(new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero)));
        Assert.That(task.RunAt!.Value.Offset, Is.EqualTo(TimeSpan.Zero));
    }

    [TestCase("\"runAt\":\"2026-12-01T02:00:00\"", "field 'runAt' is not a UTC time")]
    [TestCase("\"runAt\":\"tomorrow\"", "field 'runAt' is not a UTC time")]
    [TestCase("\"runAt\":5", "field 'runAt' must be a UTC time string")]
    [TestCase("\"delay\":\"soon\"", "field 'delay': 'soon' is not a duration")]
    [TestCase("\"delay\":\"-PT5M\"", "field 'delay': a delay is between 0 and 366 days")]
    [TestCase("\"delay\":\"PT5M\",\"runAt\":\"2026-12-01T02:00:00Z\"", "give 'runAt' or 'delay', not both")]
    [TestCase("\"requires\":\"gpu\"", "field 'requires' must be an array")]
    [TestCase("\"requires\":[\"g p u\"]", "field 'requires' must be an array")]
    [TestCase("\"requires\":[7]", "field 'requires' must be an array")]
    [TestCase("\"group\":\"team a\"", "field 'group' must be a group name")]
    [TestCase("\"group\":[]", "field 'group' must be a group name")]
    public void BadTimeOrPlace_IsRejectedWithAReason(string fields, string reason)
    {
        var (task, problem) = Parse(fields);

        Assert.That(task, Is.Null);
        Assert.That(problem, Does.StartWith(reason));
    }

    [Test]
    public void Requires_IsKeptSortedAndDistinct_AndGroupAsGiven()
    {
        var (task, _) = Parse("\"requires\":[\"gpu\",\"eu-west\",\"gpu\"],\"group\":\"team-a\",\"delay\":\"PT5M\"");

        Assert.Multiple(() =>
        {
            Assert.That(task!.Requires, Is.EqualTo(new[] { "eu-west", "gpu" }));
            Assert.That(task.Group, Is.EqualTo("team-a"));
            Assert.That(task.Delay, Is.EqualTo(TimeSpan.FromMinutes(5)));
        });
    }

    [Test]
    public void TimeAndPlace_ArePartOfTheContent_SoAnotherValueIsAConflict()
    {
        var plain = Parse("\"priority\":0").Task!.ContentHash;
        var hashes = new[]
        {
            Parse("\"delay\":\"PT5M\"").Task!.ContentHash,
            Parse("\"delay\":\"PT6M\"").Task!.ContentHash,
            Parse("\"runAt\":\"2026-12-01T02:00:00Z\"").Task!.ContentHash,
            Parse("\"requires\":[\"gpu\"]").Task!.ContentHash,
            Parse("\"group\":\"a\"").Task!.ContentHash,
        };

        Assert.That(hashes.Append(plain).Distinct().Count(), Is.EqualTo(6));
        Assert.That(Parse("\"requires\":[\"b\",\"a\"]").Task!.ContentHash, Is.EqualTo(Parse("\"requires\":[\"a\",\"b\"]").Task!.ContentHash));
    }
}
