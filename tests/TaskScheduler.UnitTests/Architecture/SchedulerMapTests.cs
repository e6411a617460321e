namespace TaskScheduler.UnitTests.Architecture;

/// <summary>
/// docs/architecture.md's map of the scheduler, as a test: each folder may use only the folders the map lists, and
/// every file's namespace is its folder's, so no type sits in a parent namespace where every folder sees it unasked.
/// </summary>
public class SchedulerMapTests : FolderMapTests
{
    /// <summary>The "May use" column of the map, folder by folder; Hosting wires everything.</summary>
    private static readonly Dictionary<string, string[]> Folders = new()
    {
        [""] = ["Hosting"],
        ["Core"] = [],
        ["Wire"] = ["Core"],
        ["Engine"] = ["Core", "Wire", "Autoscaling", "Observability"],
        ["Journal"] = ["Core", "Engine"],
        ["Transport"] = ["Core", "Wire", "Engine", "Observability"],
        ["Observability"] = ["Core"],
        ["Autoscaling"] = ["Core"],
        ["Status"] = ["Core", "Journal", "Observability"],
        ["Health"] = ["Observability", "Transport"],
        ["Http"] = ["Core", "Wire", "Engine", "Health", "Observability", "Status"],
        ["Hosting"] = ["*"],
    };

    private static readonly SourceMap Sources = SourceMap.Read("Scheduler", "TaskScheduler.Scheduler", "wwwroot");

    private protected override SourceMap Map => Sources;

    private protected override IReadOnlyDictionary<string, string[]> Allowed => Folders;
}
