using TaskScheduler.Cli.Invocation;

namespace TaskScheduler.UnitTests;

public class TimeoutTextTests
{
    [TestCase("5m", 300)]
    [TestCase("90s", 90)]
    [TestCase("1.5h", 5400)]
    [TestCase("PT5M", 300)]
    [TestCase("pt5m", 300)]
    [TestCase("P1DT2H", 93600)]
    [TestCase("00:05:00", 300)]
    [TestCase("1.00:00:00", 86400)]
    public void Parse_TakesWhatPeopleAndTheWireWrite(string text, int seconds)
    {
        Assert.That(TimeoutText.TryParse(text, out var timeout, out var problem), Is.True, problem);
        Assert.That(timeout, Is.EqualTo(TimeSpan.FromSeconds(seconds)));
    }

    [TestCase("soon", "--timeout takes a duration such as 90s, 5m, PT5M or 00:05:00, not 'soon'")]
    [TestCase("", "--timeout takes a duration")]
    [TestCase("0s", "between 1 ms and 30 days")]
    [TestCase("31.00:00:00", "between 1 ms and 30 days")]
    [TestCase("-PT5M", "between 1 ms and 30 days")]
    public void Parse_RefusesWithAReason(string text, string reason)
    {
        Assert.That(TimeoutText.TryParse(text, out _, out var problem), Is.False);
        Assert.That(problem, Does.Contain(reason));
    }
}
