namespace TaskScheduler.UnitTests.Architecture;

/// <summary>
/// docs/architecture.md's map of the client library (Client/), as a test. The root namespace is the package's
/// surface: the client, its interface and options, and the results and exceptions a caller handles. Of those, the
/// adapters (Broker, Http) may raise and return only the ones <see cref="RootTypesTheAdaptersMayUse"/> lists.
/// </summary>
public class ClientMapTests : FolderMapTests
{
    /// <summary>The "May use" column of the map, folder by folder; the root wires the adapters.</summary>
    private static readonly Dictionary<string, string[]> Folders = new()
    {
        [""] = ["Broker", "Events", "Http"],
        ["Events"] = [],
        ["Broker"] = ["", "Events"],
        ["Http"] = [""],
    };

    /// <summary>The public results and exceptions the adapters produce, and the addresses they send to; nothing else of the root is theirs to use.</summary>
    private static readonly string[] RootTypesTheAdaptersMayUse =
    [
        "CancelResult", "TaskActionResult", "TaskActionStatus", "TaskSchedulerClientException",
        "TaskSchedulerUnavailableException", "UnavailablePart", "SchedulerEndpoints",
    ];

    private static readonly SourceMap Sources = SourceMap.Read("Client", "TaskScheduler.Client");

    [Test]
    public void TheAdapters_UseOnlyTheRootsResultsAndExceptions()
    {
        var rootTypes = Map.Files.Where(f => f.Folder.Length == 0).SelectMany(f => f.DeclaredTypes).ToHashSet();
        var used = Map.Files
            .Where(f => f.Folder.Length > 0)
            .SelectMany(f => rootTypes.Where(f.UsesIdentifier).Select(type => $"{f.RelativePath} uses {type}"))
            .Where(use => !RootTypesTheAdaptersMayUse.Any(allowed => use.EndsWith($" uses {allowed}", StringComparison.Ordinal)));
        Assert.That(used, Is.Empty);
    }

    private protected override SourceMap Map => Sources;

    private protected override IReadOnlyDictionary<string, string[]> Allowed => Folders;
}
