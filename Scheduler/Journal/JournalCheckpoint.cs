using System.Diagnostics;
using LiteDB;

namespace TaskScheduler.Scheduler.Journal;

/// <summary>
/// When LiteDB copies its log into the data file (its checkpoint). Left to itself, LiteDB 5.0.21 does so inside the
/// commit that takes the log past 1,000 pages (8 MB), on the loop's thread, so the turn that commits then waits for
/// the copy before it is made durable and delivered. Here LiteDB's own checkpoint is off (the <c>CHECKPOINT</c>
/// pragma at 0) and the engine asks for one between turns, once the turn is handed to delivery, at the same
/// threshold: the copy overlaps that turn's fsync and publishing instead of delaying them. The data file is fsynced
/// straight after, as LiteDB then starts its log afresh: what was copied must not wait for the next turn's fsync.
/// </summary>
public sealed class JournalCheckpoint
{
    /// <summary>LiteDB's default threshold, in pages of 8 KiB.</summary>
    public const int DefaultPages = 1000;

    private const int PageBytes = 8192;
    private readonly string _logPath;
    private readonly long _thresholdBytes;

    public JournalCheckpoint(string logPath, int pages = DefaultPages)
    {
        _logPath = logPath;
        _thresholdBytes = (long)pages * PageBytes;
    }

    /// <summary>The log has passed the threshold: a checkpoint is due.</summary>
    public bool IsDue => LogBytes() >= _thresholdBytes;

    /// <summary>Checkpoints run so far.</summary>
    public long Count { get; private set; }

    /// <summary>Time spent in them, fsync included.</summary>
    public TimeSpan Time { get; private set; }

    /// <summary>The longest of them.</summary>
    public TimeSpan Longest { get; private set; }

    /// <summary>
    /// Copies the log into the data file when it has grown past the threshold; returns how long that took, or null
    /// when it was not due or did not happen. A copy the disk
    /// refuses (full) is left for the next time: the log keeps what it holds, and the turn's next write meets the
    /// full disk as usual. A failed fsync of the data file throws: what was copied may be lost, so the scheduler stops.
    /// </summary>
    public TimeSpan? RunIfDue(LiteDatabase db, Action flushData)
    {
        if (!IsDue)
        {
            return null;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            db.Checkpoint();
        }
        catch (Exception e) when (e is IOException or LiteException)
        {
            return null;
        }

        flushData();
        var took = Stopwatch.GetElapsedTime(started);
        Count++;
        Time += took;
        Longest = took > Longest ? took : Longest;
        return took;
    }

    private long LogBytes() => new FileInfo(_logPath) is { Exists: true } log ? log.Length : 0;
}
