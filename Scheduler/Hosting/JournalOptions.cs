namespace TaskScheduler.Scheduler;

/// <summary>The <c>Journal</c> configuration section.</summary>
public sealed class JournalOptions
{
    public const string Section = "Journal";

    /// <summary>The LiteDB file, relative to the content root unless absolute; its log sits beside it as NAME-log.db.</summary>
    public string Path { get; set; } = "data/journal.db";

    /// <summary>fsync after every group commit. Turning it off survives a process crash but not a power loss.</summary>
    public bool Durable { get; set; } = true;

    /// <summary>
    /// The file to open: a relative <see cref="Path"/> is taken from the program's content root (the directory of its
    /// binary), never from the working directory, so the same command opens the same journal wherever it is run.
    /// </summary>
    public string FullPath(string contentRoot) => System.IO.Path.GetFullPath(Path, contentRoot);

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            yield return $"{Section}:Path must name a file";
        }
    }
}
