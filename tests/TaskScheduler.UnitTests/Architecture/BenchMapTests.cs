namespace TaskScheduler.UnitTests.Architecture;

/// <summary>
/// docs/architecture.md's map of the bench (Bench/), as a test: the scheduler's stage histograms (Stages) and the
/// broker's traffic counters (Traffic) are measured apart from the run, which puts them together.
/// </summary>
public class BenchMapTests
{
    /// <summary>The "May use" column of the map, folder by folder.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        [""] = ["Stages", "Traffic"],
        ["Stages"] = [],
        ["Traffic"] = [],
    };

    private static readonly SourceMap Map = SourceMap.Read("Bench", "TaskScheduler.Bench");

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
