using System.Buffers;
using System.Globalization;
using System.Text;
using LiteDB;

namespace TaskScheduler.Scheduler.Journal;

/// <summary>
/// Large payloads, each in a file of its own in a directory beside the journal (<c>journal-payloads/</c> beside
/// <c>journal.db</c>), so that a 1 MiB payload is written to disk once instead of through LiteDB's log and again
/// into its data file at checkpoint. The journal's payload document then holds only the file's length.
/// Files are written (and with a durable journal fsynced, with their directory) before the transaction that
/// references them commits, so the journal never points at a payload that is not on disk; they are deleted only
/// after the transaction that drops their reference commits. What a crash leaves between the two (a file without a
/// reference) is removed by <see cref="SweepOrphans"/> when the journal opens. The journal and this directory are
/// one: copy, move or back them up together. Used by the journal's writer (the loop) and its readers.
/// </summary>
public sealed class PayloadStore
{
    /// <summary>No payload shorter than this goes to a file, whatever the configuration (expiry skips smaller tasks).</summary>
    public const int MinThresholdChars = 1024;

    /// <summary>Payloads of at least 32 Ki characters go to files unless configured otherwise (<c>Journal:LargePayloadChars</c>).</summary>
    public const int DefaultThresholdChars = 32 * 1024;

    /// <summary>The field of a payload document that gives the file's length in bytes (instead of the payload).</summary>
    public const string FileField = "file";

    private const string Suffix = ".payload";

    private readonly string _directory;
    private readonly int _thresholdChars;
    private readonly bool _durable;
    private readonly List<(long Sequence, string Payload)> _toWrite = [];
    private readonly List<long> _toDelete = [];

    public PayloadStore(string directory, int thresholdChars, bool durable)
    {
        _directory = directory;
        _thresholdChars = Math.Max(thresholdChars, MinThresholdChars);
        _durable = durable;
        Directory.CreateDirectory(directory);
    }

    /// <summary>The directory beside a journal's file: <c>NAME-payloads</c> for <c>NAME.db</c>.</summary>
    public static string DirectoryBeside(string journalPath) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(journalPath)!, System.IO.Path.GetFileNameWithoutExtension(journalPath) + "-payloads");

    /// <summary>The file that holds (or would hold) the payload of the task accepted as <paramref name="sequence"/>.</summary>
    public string PathOf(long sequence) =>
        System.IO.Path.Combine(_directory, sequence.ToString("D19", CultureInfo.InvariantCulture) + Suffix);

    /// <summary>
    /// The payload's document for the journal: the payload itself when it is small; else its length, the payload
    /// being kept for <see cref="WriteStaged"/>, which must run before the transaction commits.
    /// </summary>
    public BsonDocument Stage(long sequence, string payload)
    {
        if (payload.Length < _thresholdChars)
        {
            return new BsonDocument { ["_id"] = sequence, ["payload"] = payload };
        }

        _toWrite.Add((sequence, payload));
        return new BsonDocument { ["_id"] = sequence, [FileField] = Encoding.UTF8.GetByteCount(payload) };
    }

    /// <summary>
    /// Writes the staged payloads, each to its file, and with a durable journal fsyncs them and the directory. A
    /// full disk throws <see cref="IOException"/> like a journal write (the turn is written again later, files
    /// included: a file is replaced whole).
    /// </summary>
    public void WriteStaged()
    {
        if (_toWrite.Count == 0)
        {
            return;
        }

        try
        {
            var streams = new List<FileStream>(_toWrite.Count);
            try
            {
                foreach (var (sequence, payload) in _toWrite)
                {
                    var stream = new FileStream(PathOf(sequence), FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
                    streams.Add(stream);
                    Write(stream, payload);
                }

                if (_durable)
                {
                    // Written first, flushed after: the kernel writes them back side by side while we wait on the first.
                    foreach (var stream in streams)
                    {
                        stream.Flush(flushToDisk: true);
                    }

                    FileDurability.Flush(_directory);
                }
            }
            finally
            {
                foreach (var stream in streams)
                {
                    stream.Dispose();
                }
            }
        }
        finally
        {
            _toWrite.Clear();
        }
    }

    /// <summary>Forgets what was staged and not written (the transaction failed before).</summary>
    public void DiscardStaged()
    {
        _toWrite.Clear();
        _toDelete.Clear();
    }

    /// <summary>
    /// The payload a journal document stands for: its text, or its file's content. Null when the file is missing or
    /// does not have the length the journal recorded (torn by a crash of a journal that was not durable).
    /// </summary>
    public string? Read(BsonDocument document)
    {
        if (document["payload"].IsString)
        {
            return document["payload"].AsString;
        }

        if (!document[FileField].IsNumber)
        {
            return null;
        }

        try
        {
            var bytes = File.ReadAllBytes(PathOf(document["_id"].AsInt64));
            return bytes.Length == document[FileField].AsInt32 ? Encoding.UTF8.GetString(bytes) : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Marks a payload's file for deletion once the transaction that drops its reference commits.</summary>
    public void DeleteAfterCommit(long sequence) => _toDelete.Add(sequence);

    /// <summary>Deletes the files marked by <see cref="DeleteAfterCommit"/>; call right after the commit.</summary>
    public void DeleteMarked()
    {
        foreach (var sequence in _toDelete)
        {
            File.Delete(PathOf(sequence));
        }

        _toDelete.Clear();
    }

    /// <summary>
    /// Deletes the files no journal document references: those of sequences after the last committed one (written
    /// for a turn whose commit a crash prevented) and those whose document is gone (deleted by a commit after which
    /// the process died before deleting the file). Call when the journal opens, before anything is written.
    /// Returns how many were deleted.
    /// </summary>
    public int SweepOrphans(long lastSequence, Func<long, bool> referenced)
    {
        var deleted = 0;
        foreach (var path in Directory.EnumerateFiles(_directory))
        {
            var name = System.IO.Path.GetFileName(path);
            if (!name.EndsWith(Suffix, StringComparison.Ordinal))
            {
                continue; // Not ours.
            }

            var isPayload = long.TryParse(name.AsSpan(0, name.Length - Suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
                && sequence <= lastSequence
                && referenced(sequence);
            if (!isPayload)
            {
                File.Delete(path);
                deleted++;
            }
        }

        return deleted;
    }

    private static void Write(FileStream stream, string payload)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(payload.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(payload, buffer);
            stream.Write(buffer, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
