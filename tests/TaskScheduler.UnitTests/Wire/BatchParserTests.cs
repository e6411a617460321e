using System.Text;
using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.UnitTests;

public class BatchParserTests
{
    private static readonly Guid First = Guid.Parse("3f2b8c1e-5a4d-4e6f-9b7a-1c2d3e4f5a6b");
    private static readonly Guid Second = Guid.Parse("4a3c9d2f-6b5e-4f70-8c8b-2d3e4f5a6b7c");

    private static IReadOnlyList<BatchEntry> Read(string json, int maxTasks = 1000, bool generateIds = false)
    {
        var ok = BatchParser.TryParse(Encoding.UTF8.GetBytes(json), maxTasks, out var entries, out var rejection, generateIds);
        Assert.That(ok, Is.True, () => $"refused whole: {rejection?.Reason}");
        return entries!;
    }

    private static string Refused(string json, int maxTasks = 1000) => Refused(Encoding.UTF8.GetBytes(json), maxTasks);

    private static string Refused(byte[] body, int maxTasks = 1000)
    {
        var ok = BatchParser.TryParse(body, maxTasks, out var entries, out var rejection);
        Assert.That(ok, Is.False, "the batch should have been refused whole");
        Assert.That(entries, Is.Null);
        return rejection!.Reason;
    }

    private static string Task(Guid id, string payload, int priority = 0) => $$"""{"id":"{{id}}","payload":"{{payload}}","priority":{{priority}}}""";

    [Test]
    public void MixedBatch_ReadsEachTaskOnItsOwn_AndRefusesOnlyTheBadOnes()
    {
        var json = $$"""{"tasks":[{{Task(First, "a")}}, {"id":"{{Second}}"}, 42, {{Task(Second, "b", 3)}}, {"id":"not-a-uuid","payload":"c"}]}""";

        var entries = Read(json);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(entries.Select(e => e.Index), Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
            Assert.That(entries.Select(e => e.Task is not null), Is.EqualTo(new[] { true, false, false, true, false }));
            Assert.That(entries[0].Task!.Payload, Is.EqualTo("a"));
            Assert.That(entries[3].Task!.Priority, Is.EqualTo(3));
            Assert.That(entries[1].Rejection, Is.EqualTo(new InputRejection(Second, "missing required field 'payload' (a string)")));
            Assert.That(entries[2].Rejection!.Reason, Is.EqualTo("a submission is a JSON object, not a number"));
            Assert.That(entries[4].Rejection!.Reason, Does.StartWith("field 'id' is not a UUID"));
        }
    }

    [Test]
    public void EachEntry_KeepsItsOwnBytes_SoARefusalCopiesOnlyItsTask()
    {
        var bad = """{"id":"x", "payload": "keep   spacing"}""";
        var entries = Read($$"""{ "tasks" : [ {{Task(First, "a")}} ,{{bad}} ] }""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Encoding.UTF8.GetString(entries[0].Raw.Span), Is.EqualTo(Task(First, "a")));
            Assert.That(Encoding.UTF8.GetString(entries[1].Raw.Span), Is.EqualTo(bad));
        }
    }

    [Test]
    public void RepeatedId_WithTheSameContent_IsLeftForTheCoreToCallDuplicate()
    {
        var entries = Read($$"""{"tasks":[{{Task(First, "a")}}, {{Task(First, "a")}}]}""");

        Assert.That(entries.Select(e => e.Task?.Id), Is.EqualTo(new Guid?[] { First, First }));
    }

    [Test]
    public void RepeatedId_WithOtherContent_IsRefused_NamingTheEarlierTask()
    {
        var entries = Read($$"""{"tasks":[{{Task(First, "a")}}, {{Task(Second, "b")}}, {{Task(First, "other")}}, {{Task(First, "a", priority: 9)}}]}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(entries.Select(e => e.Task is not null), Is.EqualTo(new[] { true, true, false, false }));
            Assert.That(entries[2].Rejection, Is.EqualTo(new InputRejection(First, $"task {First} appears earlier in this batch (task 0) with other content")));
            Assert.That(entries[3].Rejection!.Id, Is.EqualTo(First));
        }
    }

    [Test]
    public void MoreTasksThanAllowed_RefusesTheWholeBatch_NamingTheCountAndTheSetting()
    {
        var tasks = string.Join(",", Enumerable.Range(0, 11).Select(_ => Task(Guid.NewGuid(), "x")));

        Assert.That(Refused($$"""{"tasks":[{{tasks}}]}""", maxTasks: 10),
            Is.EqualTo("the batch holds 11 tasks; a batch holds at most 10 (Scheduler:MaxBatchTasks)"));
    }

    [Test]
    public void AHugeCountOfJunk_IsRefusedByItsCount()
    {
        var junk = string.Join(",", Enumerable.Repeat("0", 500_000));

        Assert.That(Refused($$"""{"tasks":[{{junk}}]}"""), Does.StartWith("the batch holds 500,000 tasks"));
    }

    [Test]
    public void ABodyLargerThanAnySubmission_IsRefusedBeforeItIsRead()
    {
        var body = new byte[Limits.MaxSubmissionBytes + 1];

        Assert.That(Refused(body), Is.EqualTo($"message is {body.Length} bytes; a batch is at most {Limits.MaxSubmissionBytes} bytes"));
    }

    [TestCase("", "malformed JSON")]
    [TestCase("{\"tasks\":[{\"id\":1}", "malformed JSON")]
    [TestCase("{\"tasks\":[]} trailing", "malformed JSON")]
    [TestCase("[{\"id\":\"x\"}]", "a batch is a JSON object {\"tasks\": [...]}, not an array")]
    [TestCase("\"tasks\"", "a batch is a JSON object {\"tasks\": [...]}, not a string")]
    [TestCase("{\"items\":[]}", "a batch names its tasks in field 'tasks' (an array); this object has none")]
    [TestCase("{\"tasks\":[]}", "a batch holds at least one task; 'tasks' is empty")]
    [TestCase("{\"tasks\":{\"id\":\"x\"}}", "field 'tasks' must be an array of tasks, not an object")]
    [TestCase("{\"tasks\":null}", "field 'tasks' must be an array of tasks, not null")]
    [TestCase("{\"tasks\":[1],\"TASKS\":[2]}", "field 'tasks' appears more than once")]
    public void ABodyThatCannotBeABatch_IsRefusedWhole_WithAReason(string json, string reason)
    {
        Assert.That(Refused(json), Does.StartWith(reason));
    }

    [Test]
    public void NestingDeeperThanASubmissionMayBe_IsRefusedWhole()
    {
        var deep = new string('[', 40) + new string(']', 40);

        Assert.That(Refused($$"""{"tasks":[{"id":"x","payload":"y","junk":{{deep}}}]}"""), Does.StartWith("malformed JSON"));
    }

    [Test]
    public void OtherFields_AreIgnored_AndTheFieldNameMatchesIgnoringCase()
    {
        var entries = Read($$"""{"source":{"a":[1,2]},"Tasks":[{{Task(First, "a")}}],"note":"x"}""");

        Assert.That(entries.Single().Task!.Id, Is.EqualTo(First));
    }

    [Test]
    public void WithGeneratedIds_ATaskWithoutIdGetsOne_AndEachADifferentOne()
    {
        var entries = Read("""{"tasks":[{"payload":"a"},{"payload":"b"}]}""", generateIds: true);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(entries.All(e => e.Task is { Id.Version: 4 }), Is.True);
            Assert.That(entries[0].Task!.Id, Is.Not.EqualTo(entries[1].Task!.Id));
        }
    }

    [Test]
    public void EveryOptionOfASingleTask_IsReadInABatch()
    {
        var json = $$"""{"tasks":[{"id":"{{First}}","payload":"p","maxRetries":2,"timeout":"PT5M","delay":"PT1M","requires":["gpu"],"group":"team-a","dependsOn":["{{Second}}"]}]}""";

        var task = Read(json).Single().Task!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(task.MaxRetries, Is.EqualTo(2));
            Assert.That(task.Timeout, Is.EqualTo(TimeSpan.FromMinutes(5)));
            Assert.That(task.Delay, Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(task.Requires, Is.EqualTo(new[] { "gpu" }));
            Assert.That(task.Group, Is.EqualTo("team-a"));
            Assert.That(task.DependsOn, Is.EqualTo(new[] { Second }));
        }
    }
}
