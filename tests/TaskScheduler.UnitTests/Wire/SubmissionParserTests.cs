using System.Text;
using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.UnitTests;

/// <summary>
/// What the submission parser accepts and refuses, field by field, with the reason a producer reads. Over 400 lines
/// because it mirrors <c>Wire/SubmissionParser</c>, one case per rule of the wire format; split with the parser.
/// </summary>
public class SubmissionParserTests
{
    private static readonly Guid Id = Guid.Parse("3f2b8c1e-5a4d-4e6f-9b7a-1c2d3e4f5a6b");

    private static bool Parse(string json, out ParsedSubmission? submission, out InputRejection? rejection) =>
        Parse(Encoding.UTF8.GetBytes(json), out submission, out rejection);

    /// <summary>Parses through the entry point production uses; a single task is never read as a graph.</summary>
    private static bool Parse(byte[] body, out ParsedSubmission? submission, out InputRejection? rejection)
    {
        var ok = SubmissionParser.TryParseMessage(body, out submission, out var graph, out rejection);
        Assert.That(graph, Is.Null, "one task, not a graph");
        return ok;
    }

    private static ParsedSubmission Accepted(string json)
    {
        var ok = Parse(json, out var submission, out var rejection);
        Assert.That(ok, Is.True, () => $"rejected: {rejection?.Reason}");
        Assert.That(rejection, Is.Null);
        return submission!;
    }

    private static InputRejection Rejected(string json)
    {
        var ok = Parse(json, out var submission, out var rejection);
        Assert.That(ok, Is.False, "the submission should have been rejected");
        Assert.That(submission, Is.Null);
        Assert.That(rejection, Is.Not.Null);
        return rejection!;
    }

    private static string WithPayload(string payload) => $$"""{"id":"{{Id}}","payload":"{{payload}}"}""";

    [Test]
    public void TryParse_AcceptsValidSubmission()
    {
        var submission = Accepted($$"""{"id":"{{Id}}","payload":"resize image 42","priority":5}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(submission.Id, Is.EqualTo(Id));
            Assert.That(submission.Payload, Is.EqualTo("resize image 42"));
            Assert.That(submission.Priority, Is.EqualTo(5));
            Assert.That(submission.PayloadBytes, Is.EqualTo(15));
            Assert.That(submission.ContentHash, Is.EqualTo(SubmissionParser.ContentHash("resize image 42")));
        }
    }

    [Test]
    public void TryParse_DefaultsPriorityToZero_WhenAbsent()
    {
        Assert.That(Accepted(WithPayload("x")).Priority, Is.Zero);
    }

    [Test]
    public void TryParse_DefaultsPriorityToZero_WhenNull()
    {
        Assert.That(Accepted($$"""{"id":"{{Id}}","payload":"x","priority":null}""").Priority, Is.Zero);
    }

    [TestCase(int.MinValue)]
    [TestCase(-1)]
    [TestCase(int.MaxValue)]
    public void TryParse_AcceptsAnyIntPriority(int priority)
    {
        Assert.That(Accepted($$"""{"id":"{{Id}}","payload":"x","priority":{{priority}}}""").Priority, Is.EqualTo(priority));
    }

    [Test]
    public void TryParse_MatchesFieldNamesCaseInsensitively()
    {
        var submission = Accepted($$"""{"ID":"{{Id}}","PayLoad":"hello","Priority":-4}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(submission.Id, Is.EqualTo(Id));
            Assert.That(submission.Payload, Is.EqualTo("hello"));
            Assert.That(submission.Priority, Is.EqualTo(-4));
        }
    }

    [Test]
    public void TryParse_IgnoresUnknownFields()
    {
        var submission = Accepted($$"""{"tenant":{"name":"acme","tags":[1,2]},"id":"{{Id}}","payload":"p","retries":3}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(submission.Id, Is.EqualTo(Id));
            Assert.That(submission.Payload, Is.EqualTo("p"));
        }
    }

    [Test]
    public void TryParse_AcceptsEmptyPayload()
    {
        Assert.That(Accepted(WithPayload("")).PayloadBytes, Is.Zero);
    }

    [Test]
    public void TryParse_UnescapesPayload()
    {
        var submission = Accepted(WithPayload("""line\n\"quoted\" \u00e9"""));

        Assert.That(submission.Payload, Is.EqualTo("line\n\"quoted\" é"));
    }

    [TestCase("{\"id\":")]
    [TestCase("not json at all")]
    [TestCase("")]
    [TestCase("{\"id\":\"a\",}")]
    public void TryParse_RejectsMalformedJson(string json)
    {
        var rejection = Rejected(json);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rejection.Reason, Does.Contain("malformed JSON"));
            Assert.That(rejection.Id, Is.Null);
        }
    }

    [TestCase("[[1,2]]", "an array")]
    [TestCase("\"text\"", "a string")]
    [TestCase("42", "a number")]
    [TestCase("null", "null")]
    [TestCase("true", "a boolean")]
    public void TryParse_RejectsJsonThatIsNotAnObject(string json, string what)
    {
        var rejection = Rejected(json);

        Assert.That(rejection.Reason, Does.Contain("JSON object").And.Contain(what));
    }

    [Test]
    public void TryParse_RejectsMissingId()
    {
        var rejection = Rejected("""{"payload":"x"}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rejection.Reason, Does.Contain("missing").And.Contain("'id'"));
            Assert.That(rejection.Id, Is.Null);
        }
    }

    [TestCase("42", "a number")]
    [TestCase("null", "null")]
    [TestCase("{}", "an object")]
    public void TryParse_RejectsIdThatIsNotAString(string idJson, string what)
    {
        var rejection = Rejected($$"""{"id":{{idJson}},"payload":"x"}""");

        Assert.That(rejection.Reason, Does.Contain("'id'").And.Contain("string").And.Contain(what));
    }

    [TestCase("not-a-uuid")]
    [TestCase("")]
    [TestCase("3f2b8c1e-5a4d-4e6f-9b7a-1c2d3e4f5a6")]
    public void TryParse_RejectsIdThatIsNotAUuid(string id)
    {
        var rejection = Rejected($$"""{"id":"{{id}}","payload":"x"}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rejection.Reason, Does.Contain("not a UUID"));
            Assert.That(rejection.Id, Is.Null);
        }
    }

    [Test]
    public void TryParse_RejectsVersion1Uuid()
    {
        var rejection = Rejected("""{"id":"c232ab00-9414-11ec-b3c8-9f6bdeced846","payload":"x"}""");

        Assert.That(rejection.Reason, Does.Contain("version-4").And.Contain("version 1"));
    }

    [Test]
    public void TryParse_RejectsVersion7Uuid()
    {
        var rejection = Rejected($$"""{"id":"{{Guid.CreateVersion7()}}","payload":"x"}""");

        Assert.That(rejection.Reason, Does.Contain("version-4").And.Contain("version 7"));
    }

    [Test]
    public void TryParse_RejectsNilUuid()
    {
        var rejection = Rejected($$"""{"id":"{{Guid.Empty}}","payload":"x"}""");

        Assert.That(rejection.Reason, Does.Contain("version-4"));
    }

    [Test]
    public void TryParse_RejectsMissingPayload_NamingTheId()
    {
        var rejection = Rejected($$"""{"id":"{{Id}}","priority":1}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rejection.Reason, Does.Contain("missing").And.Contain("'payload'"));
            Assert.That(rejection.Id, Is.EqualTo(Id));
        }
    }

    [TestCase("17", "a number")]
    [TestCase("null", "null")]
    [TestCase("[\"a\"]", "an array")]
    [TestCase("{\"a\":1}", "an object")]
    public void TryParse_RejectsPayloadThatIsNotAString_NamingTheId(string payloadJson, string what)
    {
        var rejection = Rejected($$"""{"id":"{{Id}}","payload":{{payloadJson}}}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rejection.Reason, Does.Contain("'payload'").And.Contain("string").And.Contain(what));
            Assert.That(rejection.Id, Is.EqualTo(Id));
        }
    }

    [Test]
    public void TryParse_AcceptsPayloadOfExactlyOneMebibyte()
    {
        var submission = Accepted(WithPayload(new string('a', Limits.MaxPayloadBytes)));

        Assert.That(submission.PayloadBytes, Is.EqualTo(1024 * 1024));
    }

    [Test]
    public void TryParse_RejectsPayloadOneByteOverOneMebibyte_NamingTheId()
    {
        var rejection = Rejected(WithPayload(new string('a', Limits.MaxPayloadBytes + 1)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rejection.Reason, Does.Contain((Limits.MaxPayloadBytes + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(rejection.Reason, Does.Contain("1 MiB"));
            Assert.That(rejection.Id, Is.EqualTo(Id));
        }
    }

    [Test]
    public void TryParse_CountsPayloadInUtf8Bytes_NotCharacters()
    {
        // 600,000 characters, but 1,200,000 bytes as UTF-8: over the limit.
        var rejection = Rejected(WithPayload(new string('é', 600_000)));

        Assert.That(rejection.Reason, Does.Contain("1200000"));
    }

    [Test]
    public void TryParse_AcceptsMultiByteCharacters_UpToExactlyOneMebibyte()
    {
        var atLimit = Accepted(WithPayload(new string('é', Limits.MaxPayloadBytes / 2)));
        Assert.That(atLimit.PayloadBytes, Is.EqualTo(Limits.MaxPayloadBytes));

        Rejected(WithPayload(new string('é', Limits.MaxPayloadBytes / 2) + "a"));
    }

    [Test]
    public void TryParse_CountsEscapedCharactersAsTheirUtf8Bytes()
    {
        // Written as six ASCII bytes each on the wire, but each \u00e9 is one two-byte character in the payload.
        var escaped = string.Concat(Enumerable.Repeat("\\u00e9", (Limits.MaxPayloadBytes / 2) + 1));

        var rejection = Rejected(WithPayload(escaped));

        Assert.That(rejection.Reason, Does.Contain((Limits.MaxPayloadBytes + 2).ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [TestCase("\"5\"", "a string")]
    [TestCase("true", "a boolean")]
    [TestCase("[5]", "an array")]
    public void TryParse_RejectsPriorityThatIsNotANumber_NamingTheId(string priorityJson, string what)
    {
        var rejection = Rejected($$"""{"id":"{{Id}}","payload":"x","priority":{{priorityJson}}}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rejection.Reason, Does.Contain("'priority'").And.Contain("integer").And.Contain(what));
            Assert.That(rejection.Id, Is.EqualTo(Id));
        }
    }

    [TestCase("1.5")]
    [TestCase("2147483648")]
    [TestCase("-2147483649")]
    [TestCase("1e3")]
    public void TryParse_RejectsPriorityThatIsNotAWholeInt_NamingTheId(string priorityJson)
    {
        var rejection = Rejected($$"""{"id":"{{Id}}","payload":"x","priority":{{priorityJson}}}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rejection.Reason, Does.Contain("'priority'").And.Contain("whole number").And.Contain(priorityJson));
            Assert.That(rejection.Id, Is.EqualTo(Id));
        }
    }

    [TestCase("""{"id":"3f2b8c1e-5a4d-4e6f-9b7a-1c2d3e4f5a6b","payload":"a","payload":"b"}""", "payload")]
    [TestCase("""{"id":"3f2b8c1e-5a4d-4e6f-9b7a-1c2d3e4f5a6b","payload":"a","priority":1,"PRIORITY":2}""", "priority")]
    [TestCase("""{"id":"3f2b8c1e-5a4d-4e6f-9b7a-1c2d3e4f5a6b","Id":"3f2b8c1e-5a4d-4e6f-9b7a-1c2d3e4f5a6b","payload":"a"}""", "id")]
    public void TryParse_RejectsDuplicateField(string json, string field)
    {
        var rejection = Rejected(json);

        Assert.That(rejection.Reason, Does.Contain($"'{field}'").And.Contain("more than once"));
    }

    [Test]
    public void TryParse_RejectsDuplicatePayload_NamingTheReadableId()
    {
        // The id is unambiguous, so the producer waiting on task.{id}.rejected must be told.
        var rejection = Rejected($$"""{"id":"{{Id}}","payload":"a","payload":"b"}""");

        Assert.That(rejection.Id, Is.EqualTo(Id));
    }

    [Test]
    public void TryParse_RejectsBodyOverTheSizeLimit_WithoutParsingIt()
    {
        var body = new byte[SubmissionParser.MaxBodyBytes + 1];

        var ok = Parse(body, out var submission, out var rejection);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.False);
            Assert.That(submission, Is.Null);
            Assert.That(rejection!.Reason, Does.Contain("bytes"));
        }
    }

    [Test]
    public void TryParse_RejectsDeeplyNestedJson_WithoutThrowing()
    {
        var json = $$"""{"id":"{{Id}}","payload":"x","extra":{{new string('[', 100)}}{{new string(']', 100)}}}""";

        Assert.That(Rejected(json).Reason, Does.Contain("malformed JSON"));
    }

    [Test]
    public void TryParse_RejectsPayloadWithLoneSurrogateEscape_WithoutThrowing()
    {
        var json = WithPayload("""abc\ud800def""");

        bool ok = true;
        InputRejection? rejection = null;
        Assert.That(() => ok = Parse(json, out _, out rejection), Throws.Nothing);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.False);
            Assert.That(rejection?.Reason, Does.Contain("payload"));
            Assert.That(rejection?.Id, Is.EqualTo(Id));
        }
    }

    [Test]
    public void TryParse_RejectsIdWithLoneSurrogateEscape_WithoutThrowing()
    {
        var json = """{"id":"\udc00","payload":"x"}""";

        bool ok = true;
        InputRejection? rejection = null;
        Assert.That(() => ok = Parse(json, out _, out rejection), Throws.Nothing);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.False);
            Assert.That(rejection?.Reason, Does.Contain("'id'"));
        }
    }

    [Test]
    public void TryParse_RejectsInvalidUtf8_WithoutThrowing()
    {
        var prefix = Encoding.UTF8.GetBytes($$"""{"id":"{{Id}}","payload":"ab""");
        var suffix = Encoding.UTF8.GetBytes("""cd"}""");
        byte[] body = [.. prefix, 0xC3, 0x28, .. suffix];

        bool ok = true;
        InputRejection? rejection = null;
        Assert.That(() => ok = Parse(body, out _, out rejection), Throws.Nothing);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.False);
            Assert.That(rejection?.Reason, Does.Contain("payload"));
            Assert.That(rejection?.Id, Is.EqualTo(Id));
        }
    }

    [Test]
    public void TryParse_RejectsInvalidUtf8InAFieldName_WithoutThrowing()
    {
        var prefix = Encoding.UTF8.GetBytes($$"""{"id":"{{Id}}","payload":"x","ab""");
        var suffix = Encoding.UTF8.GetBytes("\":1}");
        byte[] body = [.. prefix, 0xC3, 0x28, .. suffix];

        bool ok = true;
        InputRejection? rejection = null;
        Assert.That(() => ok = Parse(body, out _, out rejection), Throws.Nothing);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.False);
            Assert.That(rejection?.Reason, Does.Contain("invalid text"));
        }
    }

    [Test]
    public void ContentHash_IsEqual_ForEqualPayloads()
    {
        var a = SubmissionParser.ContentHash("resize image 42");
        var b = SubmissionParser.ContentHash(new string("resize image 42".ToCharArray()));

        Assert.That(a, Is.EqualTo(b));
    }

    [TestCase("resize image 42", "resize image 43")]
    [TestCase("", " ")]
    [TestCase("abc", "ABC")]
    [TestCase("é", "e\u0301")]
    public void ContentHash_Differs_ForDifferentPayloads(string a, string b)
    {
        Assert.That(SubmissionParser.ContentHash(a), Is.Not.EqualTo(SubmissionParser.ContentHash(b)));
    }

    [Test]
    public void TryParse_GivesSameContentHash_ForSamePayloadWrittenDifferently()
    {
        var plain = Accepted(WithPayload("café"));
        var escaped = Accepted(WithPayload("""caf\u00e9"""));

        Assert.That(plain.ContentHash, Is.EqualTo(escaped.ContentHash));
    }
}
