namespace TaskScheduler.UnitTests.Architecture;

/// <summary>
/// docs/architecture.md's map of the <c>tasks</c> command (Cli/), as a test: what every command shares
/// (Invocation) uses no other folder, each concern uses only Invocation, and Commands puts them together.
/// </summary>
public class CliMapTests
{
    /// <summary>The "May use" column of the map, folder by folder; the root is Program.cs alone.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        [""] = ["Commands", "Invocation"],
        ["Invocation"] = [],
        ["Api"] = ["Invocation"],
        ["Autoscale"] = [],
        ["Batch"] = [],
        ["Graph"] = ["Invocation"],
        ["Listing"] = ["Invocation"],
        ["Top"] = [],
        ["Commands"] = ["*"],
    };

    private static readonly SourceMap Map = SourceMap.Read("Cli", "TaskScheduler.Cli");

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
