using System.Text;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.UnitTests;

public class CancelRequestParserTests
{
    private static readonly Guid Id = Guid.Parse("3f2b8c1e-5a4d-4e6f-9b7a-1c2d3e4f5a6b");

    [Test]
    public void TryParse_ReadsTheTaskAndTheReason_IgnoringCaseAndUnknownFields()
    {
        var ok = CancelRequestParser.TryParse(Encoding.UTF8.GetBytes($$"""{"TaskId":"{{Id}}","reason":"  no longer needed ","extra":1}"""), out var request, out var rejection);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.True, () => rejection!.Reason);
            Assert.That(request!.TaskId, Is.EqualTo(Id));
            Assert.That(request.Reason, Is.EqualTo("no longer needed"));
        }
    }

    [Test]
    public void TryParse_CutsAnOverlongReason()
    {
        var reason = new string('r', 2000);

        Assert.That(CancelRequestParser.TryParse(Encoding.UTF8.GetBytes($$"""{"taskId":"{{Id}}","reason":"{{reason}}"}"""), out var request, out _), Is.True);
        Assert.That(request!.Reason, Has.Length.EqualTo(CancelRequestParser.MaxReasonLength + 1));
    }

    [TestCase("{oops", "malformed JSON")]
    [TestCase("[1]", "a cancel request is a JSON object")]
    [TestCase("{\"reason\":\"x\"}", "missing required field 'taskId'")]
    [TestCase("{\"taskId\":42}", "field 'taskId' must be a task id")]
    [TestCase("{\"taskId\":\"abc\"}", "field 'taskId' must be a task id")]
    public void TryParse_RefusesWhatIsNotACancelRequest_WithAReason(string json, string reason)
    {
        var ok = CancelRequestParser.TryParse(Encoding.UTF8.GetBytes(json), out var request, out var rejection);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.False);
            Assert.That(request, Is.Null);
            Assert.That(rejection!.Reason, Does.Contain(reason));
        }
    }

    [Test]
    public void TryParse_RefusesInvalidUtf8_WithoutThrowing()
    {
        var body = new byte[] { 0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D };

        Assert.That(CancelRequestParser.TryParse(body, out _, out var rejection), Is.False);
        Assert.That(rejection!.Reason, Is.Not.Empty);
    }
}
