using TaskScheduler.Cli.Graph;
using TaskScheduler.Cli.Invocation;

namespace TaskScheduler.UnitTests;

public class GraphFileTests
{
    private string _path = "";

    [SetUp]
    public void CreatePath() => _path = Path.Combine(Path.GetTempPath(), $"graph-{Guid.NewGuid():N}.json");

    [TearDown]
    public void DeleteFile() => File.Delete(_path);

    [Test]
    public void Read_TakesEachTasksTimeout_InAnyFormTheCliTakes()
    {
        File.WriteAllText(_path, """
            [
              {"id": "extract", "payload": "e", "timeout": "PT5M"},
              {"id": "transform", "payload": "t", "dependsOn": ["extract"], "timeout": "90s"},
              {"id": "load", "payload": "l", "dependsOn": ["transform"], "timeout": "01:00:00"},
              {"id": "report", "payload": "r"}
            ]
            """);

        var graph = GraphFile.Read(_path);

        Assert.That(graph.Tasks.Select(t => t.Timeout), Is.EqualTo(new TimeSpan?[]
        {
            TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(90), TimeSpan.FromHours(1), null,
        }));
    }

    [TestCase("\"soon\"")]
    [TestCase("300")]
    [TestCase("\"0s\"")]
    public void Read_RefusesABadTimeout_NamingTheTask(string timeout)
    {
        File.WriteAllText(_path, $$"""[{"id": "extract", "payload": "e", "timeout": {{timeout}}}]""");

        var e = Assert.Throws<CliException>(() => GraphFile.Read(_path));
        Assert.That(e!.Message, Does.Contain("task 0 ('extract'): 'timeout' must be a duration"));
    }
}
