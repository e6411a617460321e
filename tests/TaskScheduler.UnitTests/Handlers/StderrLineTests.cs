using TaskScheduler.Worker.Command;

namespace TaskScheduler.UnitTests.Handlers;

public class StderrLineTests
{
    [TestCase("progress: 0.4 resizing 3 of 7", 0.4, "resizing 3 of 7")]
    [TestCase("progress:1", 1.0, null)]
    [TestCase("progress: 1.5 over the top", 1.0, "over the top")]
    [TestCase("progress: -2", 0.0, null)]
    public void ProgressLine_GivesAFractionAndAMessage(string line, double fraction, string? message)
    {
        Assert.That(StderrLine.TryReadProgress(line, out var f, out var m), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(f, Is.EqualTo(fraction));
            Assert.That(m, Is.EqualTo(message));
        }
    }

    [TestCase("progress: half way")]
    [TestCase("progress: NaN")]
    [TestCase("Progress: 0.5")]
    [TestCase("Traceback (most recent call last):")]
    public void OtherLines_AreNotProgress(string line) =>
        Assert.That(StderrLine.TryReadProgress(line, out _, out _), Is.False);

    [Test]
    public void CheckpointLine_SavesTheRestOfTheLine()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(StderrLine.TryReadCheckpoint("checkpoint: {\"row\": 42}", out var checkpoint), Is.True);
            Assert.That(checkpoint, Is.EqualTo("{\"row\": 42}"));
            Assert.That(StderrLine.TryReadCheckpoint("no checkpoint: here", out _), Is.False);
        }
    }

    [Test]
    public void ErrorTail_KeepsTheLastLines_WithinItsSize()
    {
        var tail = new StderrTail(maxChars: 20);
        foreach (var line in new[] { "first line", "second", "third", "fourth" })
        {
            tail.Add(line);
        }

        Assert.That(tail.ToString(), Is.EqualTo("second\nthird\nfourth"));
    }
}
