namespace TaskScheduler.UnitTests.Architecture;

/// <summary>
/// docs/architecture.md's map of the worker library (Worker/Library), as a test: a handler author's types
/// (Handlers) and the settings (Configuration) use nothing of the library; Hosting wires everything.
/// </summary>
public class WorkerLibraryMapTests : FolderMapTests
{
    /// <summary>The "May use" column of the map, folder by folder.</summary>
    private static readonly Dictionary<string, string[]> Folders = new()
    {
        ["Configuration"] = [],
        ["Handlers"] = [],
        ["Telemetry"] = [],
        ["Transport"] = ["Configuration"],
        ["Agent"] = ["Configuration", "Handlers", "Telemetry", "Transport"],
        ["Hosting"] = ["*"],
    };

    private static readonly SourceMap Sources = SourceMap.Read("Worker/Library", "TaskScheduler.Worker");

    private protected override SourceMap Map => Sources;

    private protected override IReadOnlyDictionary<string, string[]> Allowed => Folders;
}
