using System.Diagnostics;

namespace TaskScheduler.Cli.Autoscale;

/// <summary>
/// The worker processes the local autoscaler runs, each logging to its own file. Stopping one sends SIGTERM: the
/// worker stops taking work, finishes (or after its drain timeout hands back) what it runs, and exits by itself.
/// </summary>
public sealed class WorkerPool : IDisposable
{
    private readonly Dictionary<string, Running> _running = new(StringComparer.Ordinal);
    private readonly WorkerLaunch _launch;
    private readonly string _idPrefix;
    private readonly string _logDirectory;
    private readonly TimeProvider _time;
    private int _started;

    public WorkerPool(WorkerLaunch launch, string idPrefix, string logDirectory, TimeProvider time)
    {
        _launch = launch;
        _idPrefix = idPrefix;
        _logDirectory = logDirectory;
        _time = time;
        Directory.CreateDirectory(logDirectory);
    }

    public IReadOnlyCollection<PoolMember> Members => [.. _running.Values.Select(r => r.Member)];

    public string Start()
    {
        var id = $"{_idPrefix}-{++_started}";
        var log = new StreamWriter(Path.Combine(_logDirectory, $"{id}.log"), append: true) { AutoFlush = true };
        var process = new Process { StartInfo = _launch.StartInfo(id) };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            log.Dispose();
            throw;
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _running[id] = new Running(process, log) { Member = new PoolMember(id, _time.GetUtcNow(), Stopping: false) };
        return id;
    }

    /// <summary>Asks a worker to drain and leave.</summary>
    public void Stop(string id)
    {
        if (_running.TryGetValue(id, out var running) && !running.Member.Stopping)
        {
            Signals.Terminate(running.Process.Id);
            running.Member = running.Member with { Stopping = true };
        }
    }

    /// <summary>Forgets the workers that have exited and says which, with their exit code and whether we stopped them.</summary>
    public IReadOnlyList<(string Id, int ExitCode, bool Stopped)> Reap()
    {
        var exited = new List<(string, int, bool)>();
        foreach (var (id, running) in _running.Where(r => r.Value.Process.HasExited).ToList())
        {
            exited.Add((id, running.Process.ExitCode, running.Member.Stopping));
            _running.Remove(id);
            running.Dispose();
        }

        return exited;
    }

    /// <summary>Asks every worker to drain, waits up to <paramref name="timeout"/>, and kills what is still there.</summary>
    public async Task StopAllAsync(TimeSpan timeout)
    {
        foreach (var id in _running.Keys.ToList())
        {
            Stop(id);
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await Task.WhenAll(_running.Values.Select(r => r.Process.WaitForExitAsync(cts.Token)));
        }
        catch (OperationCanceledException)
        {
            foreach (var running in _running.Values.Where(r => !r.Process.HasExited))
            {
                running.Process.Kill();
            }
        }
    }

    public void Dispose()
    {
        foreach (var running in _running.Values)
        {
            if (!running.Process.HasExited)
            {
                running.Process.Kill();
            }

            running.Dispose();
        }

        _running.Clear();
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

    private sealed class Running(Process process, StreamWriter log) : IDisposable
    {
        public Process Process { get; } = process;

        public required PoolMember Member { get; set; }

        public void Dispose()
        {
            Process.Dispose();
            lock (log)
            {
                log.Dispose();
            }
        }
    }
}
