using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.Membership;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;

namespace TaskScheduler.UnitTests;

/// <summary>
/// Measurement M3 of docs/architecture.md's journal design: what committing one turn's record through Raft costs with
/// DotNext, in process on loopback TCP, a 1-node and a 3-node cluster, each node with its own persistent
/// <c>WriteAheadLog</c> in a temporary directory. After a leader is elected, 10,000 8 KiB entries are committed
/// by the leader's <c>RaftCluster.ReplicateAsync</c> (append, replicate, wait for a majority and
/// the apply), first one at a time, then four in flight; each line gives the commit latency p50/p99 and the process's
/// CPU per entry (all nodes together: they share this process). The design's third case, the leader awaiting
/// <c>WriteAheadLog.FlushAsync</c> before each acknowledgement, is not run: DotNext 6.12 already flushes a committed
/// entry before the commit completes (<c>Options.FlushOnCommit</c> is obsolete, "always true"; <c>FlushInterval</c>
/// is obsolete and ignored), and calling <c>FlushAsync</c> while the cluster commits crashed the process (an
/// unhandled <c>InvalidOperationException</c> from the WAL's single-waiter flush event on a thread-pool thread). The
/// cost of flushing is given instead by the WALs' own flush measurements, taken during each case.
/// A case whose first entries predict more than a minute commits 1,000 entries instead. Explicit:
/// <c>dotnet test tests/TaskScheduler.UnitTests -c Release --filter FullyQualifiedName~JournalAppendBenchmark --logger "console;verbosity=detailed"</c>.
/// </summary>
[Explicit("a benchmark")]
[Category("bench")]
public class JournalAppendBenchmark
{
    private const int EntryBytes = 8 * 1024;
    private const int Entries = 10_000;
    private const int FewerEntries = 1_000;
    private const int WarmupEntries = 100;

    /// <summary>A case predicted to take longer than this commits <see cref="FewerEntries"/>.</summary>
    private static readonly TimeSpan CaseBudget = TimeSpan.FromMinutes(1);

    /// <summary>The design's election timeouts for a loaded 2-core machine (docs/architecture.md, replication).</summary>
    private const int LowerElectionTimeout = 1_000;
    private const int UpperElectionTimeout = 2_000;

    /// <summary>Above a typical turn, so an entry is rarely split across two chunk files.</summary>
    private const int ChunkSize = 16 * 1024 * 1024;

    [Test]
    public Task OneNode() => MeasureAsync(nodes: 1);

    [Test]
    public Task ThreeNodes() => MeasureAsync(nodes: 3);

    private static async Task MeasureAsync(int nodes)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var token = timeout.Token;
        var ports = Enumerable.Range(0, nodes).Select(_ => FreePort()).ToList();
        var members = new List<Node>(nodes);
        using var flushes = new FlushMeter();
        try
        {
            foreach (var port in ports)
            {
                members.Add(new Node(port, ports));
            }

            await Task.WhenAll(members.Select(m => m.Cluster.StartAsync(token)));
            var leader = await ElectedLeaderAsync(members, token);
            var payload = new byte[EntryBytes];
            for (var i = 0; i < payload.Length; i++)
            {
                payload[i] = (byte)i;
            }

            foreach (var inFlight in new[] { 1, 4 })
            {
                var warmup = await CommitAsync(leader, payload, WarmupEntries, inFlight, token);
                var count = warmup.Elapsed / WarmupEntries * Entries > CaseBudget ? FewerEntries : Entries;
                flushes.Reset();
                var measured = await CommitAsync(leader, payload, count, inFlight, token);
                var flushed = flushes.Describe(leader.Port);
                var latencies = measured.LatenciesMs;
                Array.Sort(latencies);
                TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"raft commit, {nodes} node{(nodes == 1 ? "" : "s")} on loopback TCP, {EntryBytes / 1024} KiB entries, {inFlight} in flight, {count:N0} entries: " +
                    $"p50 {Percentile(latencies, 0.50):N2} ms, p99 {Percentile(latencies, 0.99):N2} ms, max {latencies[^1]:N2} ms; " +
                    $"{measured.Elapsed.TotalSeconds:N1} s ({count / measured.Elapsed.TotalSeconds:N0} entries/s); " +
                    $"process CPU {measured.Cpu.TotalMilliseconds / count:N3} ms per entry ({(nodes == 1 ? "1 node" : $"all {nodes} nodes")}); " +
                    $"WAL flushes: {flushed}"));
            }

            Assert.That(leader.Machine.Applied, Is.GreaterThanOrEqualTo(2 * (WarmupEntries + FewerEntries)));
        }
        finally
        {
            foreach (var member in members)
            {
                await member.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Commits <paramref name="count"/> entries through the leader, <paramref name="inFlight"/> at a time, each timed
    /// from the call to its acknowledgement.
    /// </summary>
    private static async Task<(double[] LatenciesMs, TimeSpan Elapsed, TimeSpan Cpu)> CommitAsync(
        Node leader, byte[] payload, int count, int inFlight, CancellationToken token)
    {
        var latencies = new double[count];
        var next = -1;
        var term = leader.Cluster.AuditTrail.Term;
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Task.Run(CommitEachAsync, token)));
        var elapsed = Stopwatch.GetElapsedTime(started);
        process.Refresh();
        return (latencies, elapsed, process.TotalProcessorTime - cpuBefore);

        async Task CommitEachAsync()
        {
            for (int i; (i = Interlocked.Increment(ref next)) < count;)
            {
                var begun = Stopwatch.GetTimestamp();
                await leader.Cluster.ReplicateAsync(new BinaryLogEntry { Term = term, Content = payload }, token);
                latencies[i] = Stopwatch.GetElapsedTime(begun).TotalMilliseconds;
            }
        }
    }

    /// <summary>The node whose leadership is established (its write barrier committed), once the others know it too.</summary>
    private static async Task<Node> ElectedLeaderAsync(List<Node> members, CancellationToken token)
    {
        using var elected = CancellationTokenSource.CreateLinkedTokenSource(token);
        elected.CancelAfter(TimeSpan.FromMinutes(1));
        var waits = members.Select(m => m.Cluster.WaitForLeadershipAsync(elected.Token)).ToList();
        var first = await Task.WhenAny(waits);
        await first;
        await elected.CancelAsync();
        try
        {
            await Task.WhenAll(waits);
        }
        catch (OperationCanceledException)
        {
            // the followers' waits, no longer needed
        }

        var leader = members[waits.IndexOf(first)];
        foreach (var member in members)
        {
            await member.Cluster.WaitForLeaderAsync(TimeSpan.FromMinutes(1), token);
        }

        return leader;
    }

    /// <summary>Nearest rank.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>One cluster member: its write-ahead log in a directory of its own, and its Raft node on loopback TCP.</summary>
    private sealed class Node : IAsyncDisposable
    {
        private readonly string directory;

        public Node(int port, IReadOnlyList<int> ports)
        {
            Port = port;
            directory = Path.Combine(Path.GetTempPath(), $"append-bench-{Guid.NewGuid():N}");
            Directory.CreateDirectory(directory);
            Machine = new CountingStateMachine();
            Log = new WriteAheadLog(
                new WriteAheadLog.Options
                {
                    Location = directory,
                    ChunkSize = ChunkSize,
                    MeasurementTags = new TagList { { FlushMeter.NodeTag, port } },
                },
                Machine);
            var configuration = new RaftCluster.TcpConfiguration(new IPEndPoint(IPAddress.Loopback, port))
            {
                LowerElectionTimeout = LowerElectionTimeout,
                UpperElectionTimeout = UpperElectionTimeout,
                // A single node adds itself to an empty configuration and leads at once; three start from the list.
                ColdStart = ports.Count == 1,
                ConfigurationStorage = null,
            };
            if (ports.Count > 1)
            {
                var storage = configuration.ConfigurationStorage as InMemoryClusterConfigurationStorage<EndPoint>
                    ?? throw new InvalidOperationException("DotNext gave no in-memory configuration storage for a null one");
                var members = storage.CreateInitialConfigurationBuilder();
                foreach (var member in ports)
                {
                    members.Add(new IPEndPoint(IPAddress.Loopback, member));
                }

                members.Build();
            }

            Cluster = new RaftCluster(configuration) { AuditTrail = Log };
        }

        public int Port { get; }

        public CountingStateMachine Machine { get; }

        public WriteAheadLog Log { get; }

        public RaftCluster Cluster { get; }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await Cluster.StopAsync();
                await Cluster.DisposeAsync();
                await Log.DisposeAsync();
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>Applies a committed entry by counting it; keeps no snapshot, so the log keeps every entry.</summary>
    private sealed class CountingStateMachine : IStateMachine
    {
        private long applied;

        public long Applied => Interlocked.Read(ref applied);

        public ISnapshot? Snapshot => null;

        public ValueTask<long> ApplyAsync(LogEntry entry, CancellationToken token)
        {
            Interlocked.Increment(ref applied);
            return ValueTask.FromResult(entry.Index);
        }

        public ValueTask ReclaimGarbageAsync(long watermark, CancellationToken token) => ValueTask.CompletedTask;
    }

    /// <summary>
    /// The WALs' own flush measurements (meter <c>DotNext.IO.WriteAheadLog</c>): <c>entries-flush-duration</c>, each
    /// flush's time (DotNext 6.12 records it without the log's tags, so for all nodes together), and
    /// <c>entries-flush-count</c>, the entries each flush wrote (tagged, so by node).
    /// </summary>
    private sealed class FlushMeter : IDisposable
    {
        public const string NodeTag = "bench.node";

        private readonly MeterListener listener = new();
        private readonly Lock gate = new();
        private readonly List<double> durations = [];
        private readonly List<(int Node, long Entries)> flushes = [];

        public FlushMeter()
        {
            listener.InstrumentPublished = (instrument, meterListener) =>
            {
                if (instrument.Meter.Name == "DotNext.IO.WriteAheadLog" && instrument.Name is "entries-flush-duration" or "entries-flush-count")
                {
                    meterListener.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<double>(OnDuration);
            listener.SetMeasurementEventCallback<long>(OnFlushed);
            listener.Start();
        }

        public void Reset()
        {
            lock (gate)
            {
                durations.Clear();
                flushes.Clear();
            }
        }

        /// <summary>The flushes since the last reset: their times (all nodes), and how many each node made of how many entries.</summary>
        public string Describe(int leader)
        {
            double[] ms;
            (int Count, long Entries) byLeader, byFollowers;
            lock (gate)
            {
                ms = [.. durations.Order()];
                byLeader = (flushes.Count(f => f.Node == leader), flushes.Where(f => f.Node == leader).Sum(f => f.Entries));
                byFollowers = (flushes.Count(f => f.Node != leader), flushes.Where(f => f.Node != leader).Sum(f => f.Entries));
            }

            var times = ms.Length == 0
                ? "no flush timed"
                : string.Create(CultureInfo.InvariantCulture, $"{ms.Length:N0} timed (all nodes), p50 {Percentile(ms, 0.50):N2} ms, p99 {Percentile(ms, 0.99):N2} ms");
            return string.Create(CultureInfo.InvariantCulture,
                $"{times}; leader {byLeader.Count:N0} flushes of {byLeader.Entries:N0} entries" +
                $"{(byFollowers.Count == 0 ? "" : $", followers {byFollowers.Count:N0} flushes of {byFollowers.Entries:N0} entries")}");
        }

        public void Dispose() => listener.Dispose();

        private void OnDuration(Instrument instrument, double measurement, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        {
            lock (gate)
            {
                durations.Add(measurement);
            }
        }

        private void OnFlushed(Instrument instrument, long measurement, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        {
            var node = 0;
            foreach (var tag in tags)
            {
                if (tag.Key == NodeTag && tag.Value is int port)
                {
                    node = port;
                }
            }

            lock (gate)
            {
                flushes.Add((node, measurement));
            }
        }
    }
}
