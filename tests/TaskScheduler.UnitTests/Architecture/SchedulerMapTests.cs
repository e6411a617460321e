namespace TaskScheduler.UnitTests.Architecture;

/// <summary>
/// docs/architecture.md's map of the scheduler, as a test: each folder may use only the folders the map lists, and
/// every file's namespace is its folder's, so no type sits in a parent namespace where every folder sees it unasked.
/// </summary>
public class SchedulerMapTests
{
    /// <summary>The "May use" column of the map, folder by folder; Hosting wires everything.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
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

    private static readonly SourceMap Map = SourceMap.Read("Scheduler", "TaskScheduler.Scheduler", "wwwroot");

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
