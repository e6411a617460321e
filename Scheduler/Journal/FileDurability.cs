using System.Runtime.InteropServices;

namespace TaskScheduler.Scheduler.Journal;

/// <summary>
/// fsync for files another component has open. LiteDB 5.0.21 writes its log on commit but never asks the OS to put
/// it on disk, so the journal does it after each turn. fsync flushes the file's pages whatever descriptor
/// it is called on, so a fresh read-only descriptor serves (and sidesteps .NET's advisory file locks).
/// </summary>
internal static partial class FileDurability
{
    private const int ReadOnly = 0;

    public static void Flush(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            stream.Flush(flushToDisk: true);
            return;
        }

        var fd = Open(path, ReadOnly);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == 2)
            {
                return; // ENOENT: LiteDB has not created (or has removed) that file; nothing to flush.
            }

            throw new IOException($"open('{path}') for fsync failed with errno {errno}");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync('{path}') failed with errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
