using System.Text;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.UnitTests;

/// <summary>The <c>timeout</c> field of a submission.</summary>
public class SubmissionTimeoutTests
{
    private const string Id = "3f2b8c1e-5a4d-4e6f-9b7a-1c2d3e4f5a6b";

    private static bool Parse(string timeoutJson, out ParsedSubmission? submission, out InputRejection? rejection) =>
        SubmissionParser.TryParseMessage(Encoding.UTF8.GetBytes($$"""{"id":"{{Id}}","payload":"p","timeout":{{timeoutJson}}}"""), out submission, out _, out rejection);

    [TestCase("\"PT5M\"")]
    [TestCase("\"00:05:00\"")]
    public void TryParse_ReadsTheTimeout_AsIso8601OrClockText(string json)
    {
        Assert.That(Parse(json, out var submission, out var rejection), Is.True, rejection?.Reason);
        Assert.That(submission!.Timeout, Is.EqualTo(TimeSpan.FromMinutes(5)));
    }

    [Test]
    public void TryParse_LeavesTheTimeoutToTheWorker_WhenNullOrAbsent()
    {
        Assert.That(Parse("null", out var submission, out _), Is.True);
        Assert.That(submission!.Timeout, Is.Null);
        Assert.That(submission.ContentHash, Is.EqualTo(SubmissionParser.ContentHash("p")), "a plain task hashes as its payload");
    }

    [TestCase("300", "must be a duration string")]
    [TestCase("\"5 minutes\"", "is not a duration")]
    [TestCase("\"PT0S\"", "between 1 ms and 30 days")]
    public void TryParse_RejectsABadTimeout_NamingTheFieldAndTheId(string json, string reason)
    {
        Assert.That(Parse(json, out _, out var rejection), Is.False);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rejection!.Reason, Does.Contain("timeout").And.Contain(reason));
            Assert.That(rejection.Id, Is.EqualTo(Guid.Parse(Id)));
        }
    }

    [Test]
    public void ContentHash_TellsTasksWithDifferentTimeoutsApart()
    {
        Parse("\"PT5M\"", out var five, out _);
        Parse("\"PT6M\"", out var six, out _);
        Assert.That(five!.ContentHash, Is.Not.EqualTo(six!.ContentHash));
    }
}
