using System.Text;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.UnitTests;

/// <summary>The submission fields for dependencies and retries, and graphs (JSON arrays of tasks).</summary>
public class SubmissionGraphParserTests
{
    private static readonly Guid A = Guid.Parse("3f2b8c1e-5a4d-4e6f-9b7a-1c2d3e4f5a6b");
    private static readonly Guid B = Guid.Parse("7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6");

    private static bool Parse(string json, out ParsedSubmission? task, out IReadOnlyList<ParsedSubmission>? graph, out InputRejection? rejection) =>
        SubmissionParser.TryParseMessage(Encoding.UTF8.GetBytes(json), out task, out graph, out rejection);

    private static ParsedSubmission Task(string json)
    {
        Assert.That(Parse(json, out var task, out var graph, out var rejection), Is.True, () => $"rejected: {rejection?.Reason}");
        Assert.That(graph, Is.Null);
        return task!;
    }

    private static InputRejection Rejected(string json)
    {
        Assert.That(Parse(json, out var task, out var graph, out var rejection), Is.False);
        Assert.That((task, graph), Is.EqualTo(((ParsedSubmission?)null, (IReadOnlyList<ParsedSubmission>?)null)));
        return rejection!;
    }

    [Test]
    public void DependsOnAndMaxRetries_AreRead_WithDuplicateDependenciesDropped()
    {
        var task = Task($$"""{"id":"{{A}}","payload":"x","dependsOn":["{{B}}","{{B}}"],"maxRetries":3}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(task.DependsOn, Is.EqualTo(new[] { B }));
            Assert.That(task.MaxRetries, Is.EqualTo(3));
        }
    }

    [Test]
    public void AbsentOrNullDependsOnAndMaxRetries_MeanNone_AndKeepThePlainContentHash()
    {
        var absent = Task($$"""{"id":"{{A}}","payload":"x"}""");
        var nulls = Task($$"""{"id":"{{A}}","payload":"x","dependsOn":null,"maxRetries":null}""");
        var empty = Task($$"""{"id":"{{A}}","payload":"x","dependsOn":[],"maxRetries":0}""");

        using (Assert.EnterMultipleScope())
        {
            foreach (var task in new[] { absent, nulls, empty })
            {
                Assert.That(task.DependsOn, Is.Empty);
                Assert.That(task.MaxRetries, Is.Zero);
                Assert.That(task.ContentHash, Is.EqualTo(SubmissionParser.ContentHash("x")));
            }
        }
    }

    [Test]
    public void ContentHash_CoversDependenciesInAnyOrder_AndRetries()
    {
        var c = Guid.NewGuid();
        var plain = SubmissionParser.ContentHash("x");
        var ab = SubmissionParser.ContentHash("x", [A, c], 0);
        var ba = SubmissionParser.ContentHash("x", [c, A], 0);
        var retried = SubmissionParser.ContentHash("x", [A, c], 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ab, Is.EqualTo(ba));
            Assert.That(ab, Is.Not.EqualTo(plain));
            Assert.That(retried, Is.Not.EqualTo(ab));
        }
    }

    [TestCase("\"x\"", "must be an array of task ids, not a string")]
    [TestCase("[42]", "must hold task ids (UUID strings), not a number")]
    [TestCase("[\"not-a-uuid\"]", "'not-a-uuid', which is not a task id")]
    public void DependsOn_OfTheWrongShape_IsRejected_NamingTheTask(string dependsOn, string reason)
    {
        var rejection = Rejected($$"""{"id":"{{A}}","payload":"x","dependsOn":{{dependsOn}}}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rejection.Id, Is.EqualTo(A));
            Assert.That(rejection.Reason, Does.Contain("dependsOn").And.Contain(reason));
        }
    }

    [TestCase("-1")]
    [TestCase("101")]
    [TestCase("1.5")]
    [TestCase("\"3\"")]
    public void MaxRetries_OutOfRangeOrNotAWholeNumber_IsRejected(string maxRetries)
    {
        var rejection = Rejected($$"""{"id":"{{A}}","payload":"x","maxRetries":{{maxRetries}}}""");

        Assert.That(rejection.Reason, Does.Contain("'maxRetries' must be a whole number from 0 to 100"));
    }

    [Test]
    public void Array_IsAGraph_OfTasksInTheirOrder()
    {
        Assert.That(Parse($$"""[{"id":"{{A}}","payload":"first"},{"id":"{{B}}","payload":"second","dependsOn":["{{A}}"]}]""",
            out var task, out var graph, out var rejection), Is.True, () => rejection!.Reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(task, Is.Null);
            Assert.That(graph!.Select(t => t.Id), Is.EqualTo(new[] { A, B }));
            Assert.That(graph![1].DependsOn, Is.EqualTo(new[] { A }));
        }
    }

    [Test]
    public void Graph_WithOneBadTask_IsRejectedWhole_SayingWhichTask()
    {
        var rejection = Rejected($$"""[{"id":"{{A}}","payload":"ok"},{"id":"{{B}}","payload":7}]""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rejection.Reason, Does.StartWith("graph task 1: field 'payload' must be a string"));
            Assert.That(rejection.Id, Is.EqualTo(B));
        }
    }

    [TestCase("[]", "at least one task")]
    [TestCase("[1,2,3]", "graph task 0: a submission is a JSON object, not a number")]
    [TestCase("[[]]", "graph task 0: a submission is a JSON object, not an array")]
    public void Graph_ThatIsEmptyOrNotMadeOfObjects_IsRejected(string json, string reason)
    {
        Assert.That(Rejected(json).Reason, Does.Contain(reason));
    }
}
