namespace TaskScheduler.UnitTests.Handlers;

/// <summary>README's worker program is the sample the solution builds and the integration tests run, word for word.</summary>
public class ReadmeSampleTests
{
    [Test]
    public void TheWorkerProgramInTheReadme_IsTheSampleThatIsBuiltAndRun()
    {
        var root = Repository.Root;
        var readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");
        var program = File.ReadAllText(Path.Combine(root, "Worker", "Samples", "UpperCase", "Program.cs")).ReplaceLineEndings("\n");

        Assert.That(readme, Does.Contain($"```csharp\n{program}```\n"), "README's Program.cs block must equal Worker/Samples/UpperCase/Program.cs");
    }
}
