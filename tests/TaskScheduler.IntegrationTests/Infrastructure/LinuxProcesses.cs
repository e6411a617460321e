namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>Whether a process still runs, read from /proc: a zombie (exited, not yet reaped) does not.</summary>
public static class LinuxProcesses
{
    public static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is not ("Z" or "X");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// The running processes with <paramref name="argument"/> among their arguments (a marker only one test passes),
    /// and if <paramref name="parent"/> is given, only its children.
    /// </summary>
    public static List<int> WithArgument(string argument, int? parent = null)
    {
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid))
            {
                continue;
            }

            try
            {
                var args = File.ReadAllText(Path.Combine(entry, "cmdline")).Split('\0');
                if (args.Contains(argument) && IsRunning(pid) && (parent is null || ParentOf(pid) == parent))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
            {
                // Gone while we looked.
            }
        }

        return found;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for every one of <paramref name="pids"/> to be gone; returns those still running.</summary>
    public static async Task<List<int>> WaitUntilGoneAsync(IEnumerable<int> pids, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var running = pids.Where(IsRunning).ToList();
        while (running.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            running = [.. running.Where(IsRunning)];
        }

        return running;
    }

    /// <summary>Waits for a file to appear (a test program writing its pid) and returns its text.</summary>
    public static async Task<string> WaitForFileAsync(string path, TimeSpan timeout)
    {
        await Eventually.That(() => File.Exists(path) && new FileInfo(path).Length > 0, timeout, $"{path} to appear");
        return await File.ReadAllTextAsync(path);
    }

    private static int ParentOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
