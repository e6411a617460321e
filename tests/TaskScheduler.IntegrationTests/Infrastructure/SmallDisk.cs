using System.Diagnostics;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>
/// A size-limited tmpfs of the test's own (mounting needs root, as on the CI machines), so that a disk can be filled
/// and freed at will. Unmounted when disposed.
/// </summary>
public sealed class SmallDisk : IAsyncDisposable
{
    private readonly string _filler;

    private SmallDisk(string path)
    {
        Path = path;
        _filler = System.IO.Path.Combine(path, "filler");
    }

    public string Path { get; }

    /// <summary>Mounts a tmpfs of <paramref name="megabytes"/> MiB at <paramref name="path"/>; null when mounting is refused.</summary>
    public static async Task<SmallDisk?> MountAsync(string path, int megabytes)
    {
        Directory.CreateDirectory(path);
        return await RunAsync("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", path) == 0 ? new SmallDisk(path) : null;
    }

    /// <summary>Takes every byte left with a file of its own; returns how many it took.</summary>
    public long Fill()
    {
        var buffer = new byte[64 * 1024];
        long written = 0;
        using var stream = new FileStream(_filler, FileMode.Append, FileAccess.Write, FileShare.Read, 1);
        try
        {
            while (true)
            {
                stream.Write(buffer);
                written += buffer.Length;
            }
        }
        catch (IOException)
        {
            // Full: ENOSPC.
        }

        // What did not fit in a whole buffer, a page at a time.
        try
        {
            while (true)
            {
                stream.Write(buffer, 0, 4096);
                written += 4096;
            }
        }
        catch (IOException)
        {
            return written;
        }
    }

    /// <summary>Gives back what <see cref="Fill"/> took.</summary>
    public void Free() => File.Delete(_filler);

    public async ValueTask DisposeAsync() => await RunAsync("umount", "-l", Path);

    private static async Task<int> RunAsync(string program, params string[] args)
    {
        try
        {
            using var process = Process.Start(program, args);
            await process.WaitForExitAsync();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
