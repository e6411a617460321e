using TaskScheduler.Worker.Command;

namespace TaskScheduler.UnitTests.Handlers;

public class CommandLineTests
{
    [TestCase("python3 worker.py", new[] { "python3", "worker.py" })]
    [TestCase("  python3   -u  worker.py  ", new[] { "python3", "-u", "worker.py" })]
    [TestCase("python3 '/opt/my worker/run.py' --name \"a \\\"b\\\" c\"", new[] { "python3", "/opt/my worker/run.py", "--name", "a \"b\" c" })]
    [TestCase("sh -c 'echo $TASK_ID; cat'", new[] { "sh", "-c", "echo $TASK_ID; cat" })]
    [TestCase("run my\\ file ''", new[] { "run", "my file", "" })]
    public void Command_IsSplitAsAShellWould(string text, string[] expected)
    {
        Assert.That(CommandLine.TryParse(text, out var words, out var problem), Is.True, problem);
        Assert.That(words, Is.EqualTo(expected));
    }

    [TestCase("python3 'unclosed", "an opening ' is never closed")]
    [TestCase("   ", "it names no program")]
    public void Command_ThatCannotBeRun_SaysWhy(string text, string expected)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(CommandLine.TryParse(text, out _, out var problem), Is.False);
            Assert.That(problem, Is.EqualTo(expected));
        }
    }
}
