using System.Text.Json;
using TaskScheduler.Cli.Batch;
using TaskScheduler.Contracts;

namespace TaskScheduler.UnitTests;

public class TaskLinesTests
{
    [Test]
    public void Read_SkipsBlankLines_NumbersTheRest_AndGivesAnIdToATaskWithout()
    {
        var id = Guid.NewGuid();
        var lines = TaskLines.Read(new StringReader($"{{\"id\":\"{id}\",\"payload\":\"a\"}}\n\n  \n{{\"payload\":\"b\"}}\n42\n{{\"id\":")).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(lines.Select(l => l.Number), Is.EqualTo(new[] { 1, 4, 5, 6 }));
            Assert.That(lines[0], Is.EqualTo(new TaskLine(1, $"{{\"id\":\"{id}\",\"payload\":\"a\"}}", id, null)), "a line with an id goes as it is");
            Assert.That(JsonDocument.Parse(lines[1].Json!).RootElement.GetProperty("id").GetGuid(), Is.EqualTo(lines[1].Id!.Value));
            Assert.That(lines[2], Is.EqualTo(new TaskLine(5, "42", null, null)), "not an object: the scheduler says why");
            Assert.That(lines[3].Json, Is.Null);
            Assert.That(lines[3].Problem, Does.StartWith("malformed JSON"));
        }
    }

    [Test]
    public void Batches_HoldAtMostTheSize_AndLinesRefusedHereTakeNoRoom()
    {
        var lines = new List<TaskLine>
        {
            new(1, "{}", null, null), new(2, null, null, "bad"), new(3, "{}", null, null), new(4, "{}", null, null), new(5, null, null, "bad"),
        };

        var batches = TaskLines.Batches(lines, 2).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(batches.Select(b => b.Select(l => l.Number)), Is.EqualTo(new[] { new[] { 1, 2, 3 }, new[] { 4, 5 } }));
            Assert.That(TaskLines.Body(batches[0]), Is.EqualTo("{\"tasks\":[{},{}]}"u8.ToArray()));
        }
    }

    [Test]
    public void Batches_AreCutBeforeTheyExceedTheSubmissionLimit()
    {
        var big = $"{{\"payload\":\"{new string('x', Limits.MaxPayloadBytes)}\"}}";
        var lines = Enumerable.Range(1, 10).Select(n => new TaskLine(n, big, null, null));

        var batches = TaskLines.Batches(lines, 100).ToList();

        Assert.That(batches.Select(b => TaskLines.Body(b).Length), Is.All.LessThanOrEqualTo(Limits.MaxSubmissionBytes));
        Assert.That(batches.Sum(b => b.Count), Is.EqualTo(10));
    }
}
