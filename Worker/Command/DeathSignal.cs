namespace TaskScheduler.Worker.Command;

/// <summary>
/// Finds <c>setpriv</c> (util-linux), which starts a program with a parent-death signal: the kernel kills the child
/// when its worker dies, however it dies. Null where there is none (not Linux, or util-linux missing).
/// </summary>
public static class DeathSignal
{
    public static string? SetPriv { get; } = Find();

    /// <summary>The program and arguments that start <paramref name="command"/> so that it dies with this process.</summary>
    public static IReadOnlyList<string> Wrap(IReadOnlyList<string> command, string? setpriv) =>
        setpriv is null ? command : [setpriv, "--pdeathsig", "KILL", "--", .. command];

    private static string? Find()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "setpriv"))
            .FirstOrDefault(File.Exists);
    }
}
