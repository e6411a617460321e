using System.Diagnostics;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>A program under test running as a real process, its output kept in a log file for diagnosis.</summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private ChildProcess(string name, Process process, StreamWriter log)
    {
        Name = name;
        _process = process;
        _log = log;
    }

    public string Name { get; }

    public string LogPath { get; private init; } = "";

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static ChildProcess Start(string name, string dll, IEnumerable<string> args, string logDirectory)
    {
        var info = DotnetProgram.StartInfo(dll, args);
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        return Start(name, info, logDirectory);
    }

    /// <summary>Starts any program (its streams redirected), such as the Python worker, with its output in <c>{name}.log</c>.</summary>
    public static ChildProcess Start(string name, ProcessStartInfo info, string logDirectory)
    {
        var logPath = Path.Combine(logDirectory, $"{name}.log");
        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChildProcess(name, process, log) { LogPath = logPath };
    }

    /// <summary>kill -9: no chance to clean up, as in a crash.</summary>
    public void Kill9()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>kill -9 of the process and everything it started, for programs that run others (tasks autoscale).</summary>
    public void KillTree()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>kill -TERM: the graceful stop a service manager would ask for.</summary>
    public void Terminate() => Signal("-TERM");

    /// <summary>kill -STOP: the process freezes mid-whatever, as in a long GC pause or a stalled VM.</summary>
    public void Pause() => Signal("-STOP");

    /// <summary>kill -CONT: a paused process carries on as if nothing happened.</summary>
    public void Resume() => Signal("-CONT");

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Waits until the process has logged a line matching <paramref name="pattern"/>, and returns the match.</summary>
    public Task<System.Text.RegularExpressions.Match> WaitForLogAsync(string pattern, TimeSpan timeout) =>
        Eventually.Returns(
            () => Task.FromResult(System.Text.RegularExpressions.Regex.Match(ReadLog(), pattern)),
            match => match.Success,
            timeout,
            $"{Name} to log /{pattern}/",
            _ => "no such line");

    public string ReadLog()
    {
        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public void Dispose()
    {
        Kill9();
        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    private void Signal(string signal)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", [signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            if (log.BaseStream.CanWrite)
            {
                log.WriteLine(line);
            }
        }
    }
}
