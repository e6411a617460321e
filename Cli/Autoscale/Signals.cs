using System.ComponentModel;
using System.Runtime.InteropServices;

namespace TaskScheduler.Cli.Autoscale;

/// <summary>POSIX signals to other processes; .NET itself can only kill (SIGKILL) them.</summary>
internal static partial class Signals
{
    private const int SigTerm = 15;

    /// <summary>Asks a process to stop; a worker answers by draining.</summary>
    public static void Terminate(int pid)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            throw new PlatformNotSupportedException("tasks autoscale stops workers with SIGTERM, which needs Linux or macOS.");
        }

        if (Kill(pid, SigTerm) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            // ESRCH: the process has exited already, which is what we wanted.
            if (error != 3)
            {
                throw new Win32Exception(error);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
