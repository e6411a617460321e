using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>
/// Starts the conformance suite's workers in either language on a <see cref="TestSystem"/>: the .NET test worker
/// (tests/TaskScheduler.TestWorker) or the Python worker module (Worker/Python) running Scripts/conformance_worker.py,
/// whose handlers do the same thing for the same payload. Python runs on Debian's <c>/usr/bin/python3</c>, which
/// sees python3-pika (deploy/python.sh installs it); a python3 earlier on PATH (pyenv) may not.
/// </summary>
public sealed class ConformanceWorkers : IAsyncDisposable
{
    public const string Dotnet = "dotnet";
    public const string Python = "python";
    private const string DebianPython = "/usr/bin/python3";

    private readonly TestSystem _system;
    private readonly List<(string Id, ChildProcess Process)> _python = [];

    public ConformanceWorkers(TestSystem system) => _system = system;

    public static string TestWorker => Repository.Program(Path.Combine("tests", "TaskScheduler.TestWorker"), "TaskScheduler.TestWorker.dll");

    /// <summary>The language the cross-language scenarios hand a task to.</summary>
    public static string Other(string language) => language == Dotnet ? Python : Dotnet;

    /// <summary>Starts worker <paramref name="id"/> in <paramref name="language"/>, advertising <paramref name="tag"/>.</summary>
    public ChildProcess Start(string language, string id, string tag, int capacity = 1, TimeSpan? drain = null)
    {
        var drainTimeout = drain ?? TimeSpan.FromSeconds(20);
        if (language == Dotnet)
        {
            return _system.StartWorkerProgram(id, TestWorker, capacity,
                [$"--Worker:Tags={tag}", $"--Worker:DrainTimeout={drainTimeout}"]);
        }

        if (!File.Exists(DebianPython))
        {
            Assert.Fail($"{DebianPython} is missing: run deploy/python.sh (deploy/test.sh does) to install python3 and python3-pika");
        }

        var info = new ProcessStartInfo(DebianPython)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        info.Environment["PYTHONPATH"] = Path.Combine(Repository.Root, "Worker", "Python");
        info.Environment["PYTHONUNBUFFERED"] = "1";
        foreach (var arg in new[]
        {
            "-u", Path.Combine(TestContext.CurrentContext.TestDirectory, "Scripts", "conformance_worker.py"),
            "--url", _system.BrokerUrl, "--prefix", _system.Prefix, "--id", id, "--tags", tag,
            "--capacity", capacity.ToString(CultureInfo.InvariantCulture),
            "--heartbeat-interval", _system.HeartbeatInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            "--drain-timeout", drainTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        })
        {
            info.ArgumentList.Add(arg);
        }

        var process = ChildProcess.Start(id, info, _system.Directory);
        _python.Add((id, process));
        return process;
    }

    /// <summary>Kills the Python workers still running and deletes their queues (the .NET ones are the system's).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var (_, process) in _python)
        {
            process.Dispose();
        }

        if (_system.Connection.IsOpen)
        {
            await using var channel = await _system.Connection.CreateChannelAsync();
            foreach (var (id, _) in _python)
            {
                await channel.QueueDeleteAsync(_system.Topology.WorkerQueue(id), ifUnused: false, ifEmpty: false);
                await channel.QueueDeleteAsync(_system.Topology.WorkerControlQueue(id), ifUnused: false, ifEmpty: false);
            }
        }
    }
}
