namespace TaskScheduler.UnitTests.Architecture;

/// <summary>
/// docs/architecture.md's map of the bench (Bench/), as a test: the scheduler's stage histograms (Stages) and the
/// broker's traffic counters (Traffic) are measured apart from the run, which puts them together.
/// </summary>
public class BenchMapTests : FolderMapTests
{
    /// <summary>The "May use" column of the map, folder by folder.</summary>
    private static readonly Dictionary<string, string[]> Folders = new()
    {
        [""] = ["Stages", "Traffic"],
        ["Stages"] = [],
        ["Traffic"] = [],
    };

    private static readonly SourceMap Sources = SourceMap.Read("Bench", "TaskScheduler.Bench");

    private protected override SourceMap Map => Sources;

    private protected override IReadOnlyDictionary<string, string[]> Allowed => Folders;
}
