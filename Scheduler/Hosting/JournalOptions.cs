namespace TaskScheduler.Scheduler;

/// <summary>The <c>Journal</c> configuration section.</summary>
public sealed class JournalOptions
{
    public const string Section = "Journal";

    /// <summary>The LiteDB file; its log sits beside it as NAME-log.db.</summary>
    public string Path { get; set; } = "data/journal.db";

    /// <summary>fsync after every group commit. Turning it off survives a process crash but not a power loss.</summary>
    public bool Durable { get; set; } = true;

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            yield return $"{Section}:Path must name a file";
        }
    }
}
