using Microsoft.Extensions.Configuration;
using TaskScheduler.Worker.Command;

namespace TaskScheduler.UnitTests.Handlers;

public class CommandOptionsTests
{
    [Test]
    public void WorkerCommand_IsOneStringSplitAsAShellWould_OrAnArray()
    {
        var asString = Read(new() { ["Worker:Command"] = "python3 -u 'my worker.py'" });
        var asArray = Read(new() { ["Worker:Command:1"] = "/opt/my worker.py", ["Worker:Command:0"] = "python3", ["Worker:CommandKillGrace"] = "00:00:02" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(asString.Command, Is.EqualTo(new[] { "python3", "-u", "my worker.py" }));
            Assert.That(asString.Validate(), Is.Empty);
            Assert.That(asArray.Command, Is.EqualTo(new[] { "python3", "/opt/my worker.py" }));
            Assert.That(asArray.KillGrace, Is.EqualTo(TimeSpan.FromSeconds(2)));
        }
    }

    [Test]
    public void AMissingOrBrokenCommand_StopsTheWorkerAtStart_NamingTheKey()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Read([]).Validate(), Has.One.StartsWith("Worker:Command must name a program").And.One.EndsWith("it is not set"));
            Assert.That(Read(new() { ["Worker:Command"] = "python3 'oops" }).Validate(), Has.One.EndsWith("an opening ' is never closed"));
            Assert.That(Read(new() { ["Worker:Command"] = "cat", ["Worker:CommandKillGrace"] = "soon" }).Validate(), Has.One.StartsWith("Worker:CommandKillGrace"));
        }
    }

    private static CommandOptions Read(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = new CommandOptions();
        CommandOptions.Read(options, configuration.GetSection("Worker"));
        return options;
    }
}
