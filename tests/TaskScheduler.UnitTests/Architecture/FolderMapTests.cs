namespace TaskScheduler.UnitTests.Architecture;

/// <summary>
/// One project's map in docs/architecture.md, as a test: each folder uses only the folders its row lists, every
/// file declares its folder's namespace (so no type sits in a parent namespace where every folder sees it unasked),
/// and the map names every folder there is.
/// </summary>
public abstract class FolderMapTests
{
    /// <summary>The project's sources as they are.</summary>
    private protected abstract SourceMap Map { get; }

    /// <summary>The "May use" column of the map, folder by folder ("" is the root namespace, "*" any folder).</summary>
    private protected abstract IReadOnlyDictionary<string, string[]> Allowed { get; }

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
