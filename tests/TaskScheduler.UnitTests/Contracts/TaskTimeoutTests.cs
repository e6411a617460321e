using TaskScheduler.Contracts;

namespace TaskScheduler.UnitTests;

public class TaskTimeoutTests
{
    [TestCase("PT5M", 300)]
    [TestCase("PT1.5S", 1.5)]
    [TestCase("P1DT2H", 93600)]
    [TestCase("00:05:00", 300)]
    [TestCase("1.00:00:00", 86400)]
    [TestCase(" 00:00:02.5 ", 2.5)]
    public void TryParse_ReadsIso8601AndClockDurations(string text, double seconds)
    {
        Assert.That(TaskTimeout.TryParse(text, out var timeout, out var problem), Is.True, problem);
        Assert.That(timeout, Is.EqualTo(TimeSpan.FromSeconds(seconds)));
    }

    [TestCase("5m", "is not a duration")]
    [TestCase("300", "is not a duration")]
    [TestCase("", "is not a duration")]
    [TestCase("PT0S", "between 1 ms and 30 days")]
    [TestCase("-PT5M", "between 1 ms and 30 days")]
    [TestCase("P400D", "between 1 ms and 30 days")]
    [TestCase("P99999999999999D", "is not a duration")]
    public void TryParse_RefusesOtherText_WithAReason(string text, string reason)
    {
        Assert.That(TaskTimeout.TryParse(text, out _, out var problem), Is.False);
        Assert.That(problem, Does.Contain(reason));
    }

    [Test]
    public void Format_WritesIso8601_ThatParsesBack()
    {
        var text = TaskTimeout.Format(TimeSpan.FromMinutes(90));
        Assert.That(text, Is.EqualTo("PT1H30M"));
        Assert.That(TaskTimeout.TryParse(text, out var back, out _) && back == TimeSpan.FromMinutes(90), Is.True);
    }
}
