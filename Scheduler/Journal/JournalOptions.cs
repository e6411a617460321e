using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Retention;

namespace TaskScheduler.Scheduler.Journal;

/// <summary>The <c>Journal</c> configuration section.</summary>
public sealed class JournalOptions
{
    public const string Section = "Journal";

    /// <summary>The LiteDB file, relative to the content root unless absolute; its log sits beside it as NAME-log.db.</summary>
    public string Path { get; set; } = "data/journal.db";

    /// <summary>fsync after every turn. Turning it off survives a process crash but not a power loss.</summary>
    public bool Durable { get; set; } = true;

    /// <summary>
    /// A payload of at least this many characters is written to a file of its own in <c>NAME-payloads/</c> beside
    /// the journal (once, instead of through LiteDB's log and data file); smaller ones stay in the journal. At least 1024.
    /// </summary>
    public int LargePayloadChars { get; set; } = PayloadStore.DefaultThresholdChars;

    /// <summary>
    /// How long a task's change may wait before its document is written behind the loop (<see cref="Materializer"/>):
    /// a task that finishes within it is written once; a restart replays at most about this much of the last turns.
    /// </summary>
    public TimeSpan MaterializeEvery { get; set; } = Materializer.DefaultWindow;

    /// <summary>How long a finished task is kept after it finished, unless its outcome has a retention of its own.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a Completed task is kept; <see cref="Retention"/> when unset.</summary>
    public TimeSpan? CompletedRetention { get; set; }

    /// <summary>How long a Failed task is kept (failures are often wanted longer); <see cref="Retention"/> when unset.</summary>
    public TimeSpan? FailedRetention { get; set; }

    /// <summary>How long a Cancelled task is kept; <see cref="Retention"/> when unset.</summary>
    public TimeSpan? CancelledRetention { get; set; }

    /// <summary>
    /// How long a Completed task keeps its payload (nothing reads it once the task is done); the task itself stays for
    /// its retention. At most the Completed retention; that, when unset.
    /// </summary>
    public TimeSpan? PayloadRetention { get; set; }

    /// <summary>What expiry applies.</summary>
    public RetentionPolicy RetentionPolicy() => new(
        CompletedRetention ?? Retention,
        FailedRetention ?? Retention,
        CancelledRetention ?? Retention,
        PayloadRetention ?? CompletedRetention ?? Retention);

    /// <summary>
    /// The file to open: a relative <see cref="Path"/> is taken from the program's content root (the directory of its
    /// binary), never from the working directory, so the same command opens the same journal wherever it is run.
    /// </summary>
    public string FullPath(string contentRoot) => System.IO.Path.GetFullPath(Path, contentRoot);

    private static readonly TimeSpan MaxMaterializeEvery = TimeSpan.FromMinutes(1);

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            yield return $"{Section}:Path must name a file";
        }

        if (LargePayloadChars < PayloadStore.MinThresholdChars)
        {
            yield return $"{Section}:LargePayloadChars must be at least {PayloadStore.MinThresholdChars}, not {LargePayloadChars}";
        }

        if (MaterializeEvery <= TimeSpan.Zero || MaterializeEvery > MaxMaterializeEvery)
        {
            yield return $"{Section}:MaterializeEvery must be positive and at most {MaxMaterializeEvery} (a restart replays about that much), not '{MaterializeEvery}'";
        }

        foreach (var (name, value) in new[]
        {
            (nameof(Retention), (TimeSpan?)Retention), (nameof(CompletedRetention), CompletedRetention),
            (nameof(FailedRetention), FailedRetention), (nameof(CancelledRetention), CancelledRetention),
            (nameof(PayloadRetention), PayloadRetention),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                yield return $"{Section}:{name} must be positive (a time such as 7.00:00:00), not '{value}'";
            }
        }

        var completed = CompletedRetention ?? Retention;
        if (PayloadRetention > completed)
        {
            yield return $"{Section}:PayloadRetention ('{PayloadRetention}') must not be longer than the retention of Completed tasks ('{completed}'): a payload goes with its task at the latest";
        }
    }
}
