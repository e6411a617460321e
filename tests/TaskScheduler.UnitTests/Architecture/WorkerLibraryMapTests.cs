namespace TaskScheduler.UnitTests.Architecture;

/// <summary>
/// docs/architecture.md's map of the worker library (Worker/Library), as a test: a handler author's types
/// (Handlers) and the settings (Configuration) use nothing of the library; Hosting wires everything.
/// </summary>
public class WorkerLibraryMapTests
{
    /// <summary>The "May use" column of the map, folder by folder.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Configuration"] = [],
        ["Handlers"] = [],
        ["Telemetry"] = [],
        ["Transport"] = ["Configuration"],
        ["Agent"] = ["Configuration", "Handlers", "Telemetry", "Transport"],
        ["Hosting"] = ["*"],
    };

    private static readonly SourceMap Map = SourceMap.Read("Worker/Library", "TaskScheduler.Worker");

    [Test]
    public void EveryFolder_UsesOnlyWhatTheMapAllows()
    {
        Assert.That(Map.ForbiddenArrows(Allowed), Is.Empty);
    }

    [Test]
    public void EveryFile_DeclaresItsFoldersNamespace()
    {
        Assert.That(Map.MisplacedNamespaces(), Is.Empty);
    }

    [Test]
    public void TheMap_NamesEveryFolder()
    {
        Assert.That(Map.Folders, Is.SubsetOf(Allowed.Keys), "a folder the map does not list");
    }
}
