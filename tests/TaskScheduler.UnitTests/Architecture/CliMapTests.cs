namespace TaskScheduler.UnitTests.Architecture;

/// <summary>
/// docs/architecture.md's map of the <c>tasks</c> command (Cli/), as a test: what every command shares
/// (Invocation) uses no other folder, each concern uses only Invocation, and Commands puts them together.
/// </summary>
public class CliMapTests : FolderMapTests
{
    /// <summary>The "May use" column of the map, folder by folder; the root is Program.cs alone.</summary>
    private static readonly Dictionary<string, string[]> Folders = new()
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

    private static readonly SourceMap Sources = SourceMap.Read("Cli", "TaskScheduler.Cli");

    private protected override SourceMap Map => Sources;

    private protected override IReadOnlyDictionary<string, string[]> Allowed => Folders;
}
