using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>
/// A RabbitMQ node of a test's own: Debian's rabbitmq-server started on loopback with its own ports, data,
/// logs and configuration, so a test may stop it, kill it or cluster it without touching the shared broker.
/// Its data survives <see cref="StopAsync"/> and <see cref="Kill9Async"/>: <see cref="StartAsync"/> brings the same
/// node back with its durable queues and persistent messages, as a restarted production broker would.
/// </summary>
public sealed class RabbitNode : IAsyncDisposable
{
    private const string Bin = "/usr/lib/rabbitmq/bin";
    private static readonly Lock LogLock = new();
    private readonly string _home;
    private Process? _server;

    private RabbitNode(string name, string directory, int port, int distributionPort, string cookie)
    {
        Name = name;
        Directory = directory;
        Port = port;
        DistributionPort = distributionPort;
        _home = Path.Combine(directory, "home");
        System.IO.Directory.CreateDirectory(_home);
        var cookiePath = Path.Combine(_home, ".erlang.cookie");
        File.WriteAllText(cookiePath, cookie);
        if (!OperatingSystem.IsWindows())
        {
            // Erlang refuses a cookie file others can read.
            File.SetUnixFileMode(cookiePath, UnixFileMode.UserRead);
        }
        File.WriteAllText(Path.Combine(directory, "enabled_plugins"), "[].\n");
    }

    /// <summary>The Erlang node name, e.g. <c>ts1a2b3c@localhost</c>.</summary>
    public string Name { get; }

    public string Directory { get; }

    public int Port { get; }

    public int DistributionPort { get; }

    public string Url => $"amqp://guest:guest@127.0.0.1:{Port}/";

    public bool IsRunning => _server is { HasExited: false };

    /// <summary>
    /// Creates and starts a node. <paramref name="settings"/> are extra rabbitmq.conf lines (e.g.
    /// <c>consumer_timeout = 5000</c>); <paramref name="advancedConfig"/> is an Erlang-terms advanced.config for
    /// what rabbitmq.conf cannot say; nodes meant to form a cluster share one <paramref name="cookie"/>.
    /// </summary>
    public static async Task<RabbitNode> StartNewAsync(
        string directory, IEnumerable<string>? settings = null, string? cookie = null, string? advancedConfig = null)
    {
        if (!File.Exists(Path.Combine(Bin, "rabbitmq-server")))
        {
            Assert.Fail("This test runs its own RabbitMQ node and needs Debian's rabbitmq-server; deploy/broker.sh installs it.");
        }

        var id = $"ts{Guid.NewGuid():N}"[..10];
        var node = new RabbitNode($"{id}@localhost", Path.Combine(directory, id), FreePort(), FreePort(), cookie ?? Guid.NewGuid().ToString("N"));
        var config = new List<string>
        {
            $"listeners.tcp.1 = 127.0.0.1:{node.Port}",
            "loopback_users.guest = true",
            "disk_free_limit.absolute = 50MB",
        };
        config.AddRange(settings ?? []);
        await File.WriteAllLinesAsync(Path.Combine(node.Directory, "rabbitmq.conf"), config);
        if (advancedConfig is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(node.Directory, "advanced.config"), advancedConfig);
        }

        await node.StartAsync();
        return node;
    }

    /// <summary>Starts the node (again), and returns once it accepts AMQP connections.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"Node {Name} is already running.");
        }

        var info = new ProcessStartInfo(Path.Combine(Bin, "rabbitmq-server"))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Directory,
        };
        foreach (var (key, value) in Environment())
        {
            info.Environment[key] = value;
        }

        _server = new Process { StartInfo = info };
        var log = Path.Combine(Directory, "server.log");
        _server.OutputDataReceived += (_, e) => Append(log, e.Data);
        _server.ErrorDataReceived += (_, e) => Append(log, e.Data);
        _server.Start();
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_server.HasExited)
            {
                Assert.Fail($"RabbitMQ node {Name} exited with {_server.ExitCode} while starting:\n{Tail(log)}");
            }

            var (code, _) = await CtlAsync("await_startup", "--timeout", "5");
            if (code == 0)
            {
                return;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"RabbitMQ node {Name} did not start within 90 s:\n{Tail(log)}");
    }

    /// <summary>A clean stop, as an operator's <c>rabbitmqctl stop</c>.</summary>
    public async Task StopAsync()
    {
        if (!IsRunning)
        {
            return;
        }

        await CtlAsync("stop");
        await WaitForExitAsync();
    }

    /// <summary>kill -9 of the Erlang VM: the broker crashes with no chance to tidy up.</summary>
    public async Task Kill9Async()
    {
        if (!IsRunning)
        {
            return;
        }

        var pidFile = Path.Combine(Directory, "rabbit.pid");
        if (File.Exists(pidFile) && int.TryParse((await File.ReadAllTextAsync(pidFile)).Trim(), CultureInfo.InvariantCulture, out var pid))
        {
            using var beam = Process.GetProcessById(pid);
            beam.Kill();
        }

        _server!.Kill(entireProcessTree: true);
        await WaitForExitAsync();
    }

    /// <summary>Runs <c>rabbitmqctl</c> against this node; returns its exit code and output.</summary>
    public async Task<(int ExitCode, string Output)> CtlAsync(params string[] args)
    {
        var info = new ProcessStartInfo(Path.Combine(Bin, "rabbitmqctl"))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add("-n");
        info.ArgumentList.Add(Name);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in Environment())
        {
            info.Environment[key] = value;
        }

        using var ctl = Process.Start(info)!;
        var output = ctl.StandardOutput.ReadToEndAsync();
        var error = ctl.StandardError.ReadToEndAsync();
        await ctl.WaitForExitAsync();
        return (ctl.ExitCode, await output + await error);
    }

    /// <summary>Runs <c>rabbitmqctl</c> and fails the test when it does not succeed.</summary>
    public async Task<string> CtlOrFailAsync(params string[] args)
    {
        var (code, output) = await CtlAsync(args);
        if (code != 0)
        {
            Assert.Fail($"rabbitmqctl {string.Join(' ', args)} on {Name} failed with {code}:\n{output}");
        }

        return output;
    }

    public async ValueTask DisposeAsync()
    {
        if (IsRunning)
        {
            await Kill9Async();
        }

        _server?.Dispose();
    }

    private IEnumerable<(string, string)> Environment() =>
    [
        ("HOME", _home),
        ("RABBITMQ_NODENAME", Name),
        ("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1"),
        ("RABBITMQ_NODE_PORT", Port.ToString(CultureInfo.InvariantCulture)),
        ("RABBITMQ_DIST_PORT", DistributionPort.ToString(CultureInfo.InvariantCulture)),
        ("RABBITMQ_CONFIG_FILE", Path.Combine(Directory, "rabbitmq.conf")),
        ("RABBITMQ_ADVANCED_CONFIG_FILE", Path.Combine(Directory, "advanced.config")),
        ("RABBITMQ_CONF_ENV_FILE", Path.Combine(Directory, "rabbitmq-env.conf")),
        ("RABBITMQ_ENABLED_PLUGINS_FILE", Path.Combine(Directory, "enabled_plugins")),
        ("RABBITMQ_MNESIA_BASE", Path.Combine(Directory, "mnesia")),
        ("RABBITMQ_LOG_BASE", Path.Combine(Directory, "log")),
        ("RABBITMQ_PID_FILE", Path.Combine(Directory, "rabbit.pid")),
        // Inter-node traffic on loopback too: nothing of a test's broker listens on other interfaces.
        ("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}"),
        ("RABBITMQ_CTL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}"),
    ];

    private async Task WaitForExitAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _server!.WaitForExitAsync(cts.Token);
    }

    private static void Append(string log, string? line)
    {
        if (line is not null)
        {
            lock (LogLock)
            {
                File.AppendAllText(log, line + "\n");
            }
        }
    }

    private static string Tail(string log) =>
        File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(30)) : "(no output)";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
