using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TaskScheduler.Cli.Broker;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Cli.Commands;

/// <summary>
/// <c>tasks bench</c>: submits a burst of tasks over the broker, as a producer would, and measures how fast they
/// are accepted and how fast they all reach a final state, end to end.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var count = new Option<int>("--tasks", "-n") { Description = "How many tasks", DefaultValueFactory = _ => 10_000 };
        var size = new Option<int>("--payload-bytes") { Description = "Payload size", DefaultValueFactory = _ => 100 };
        var priorities = new Option<int>("--priorities") { Description = "Spread tasks over priorities 0..N-1", DefaultValueFactory = _ => 1 };
        var window = new Option<int>("--window") { Description = "Unconfirmed publishes in flight", DefaultValueFactory = _ => 256 };
        var timeout = new Option<TimeSpan>("--timeout") { Description = "Give up after this long", DefaultValueFactory = _ => TimeSpan.FromMinutes(10) };

        var command = new Command("bench", "Measure end-to-end throughput and latency of a running system") { count, size, priorities, window, timeout };
        command.SetAction((result, ct) => CliRunner.RunAsync(result, async output =>
        {
            var n = result.GetValue(count);
            var bytes = result.GetValue(size);
            if (n < 1 || bytes < 0 || bytes > Limits.MaxPayloadBytes || result.GetValue(priorities) < 1 || result.GetValue(window) < 1)
            {
                throw new CliException(ExitCodes.Usage, "--tasks, --priorities and --window must be positive and --payload-bytes at most 1 MiB");
            }

            await using var broker = await BrokerClient.ConnectAsync(result.GetValue(GlobalOptions.Broker)!, result.GetValue(GlobalOptions.Prefix)!, ct);
            var events = await broker.WatchAsync(null, ct);
            var run = await RunAsync(broker, events, n, bytes, result.GetValue(priorities), result.GetValue(window), result.GetValue(timeout), output, ct);
            output.Result(run.ToText(), run);
            return run.Lost == 0 ? ExitCodes.Ok : ExitCodes.Timeout;
        }));
        return command;
    }

    private static async Task<BenchResult> RunAsync(
        BrokerClient broker, System.Threading.Channels.ChannelReader<TaskEvent> events, int n, int bytes, int priorities, int window,
        TimeSpan timeout, Output output, CancellationToken ct)
    {
        var submittedAt = new Dictionary<Guid, long>(n);
        var clock = Stopwatch.StartNew();
        var finals = new Dictionary<Guid, TaskEvent>(n);
        var latencies = new List<double>(n);
        var collector = Task.Run(async () =>
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(timeout);
            try
            {
                await foreach (var e in events.ReadAllAsync(deadline.Token))
                {
                    long sent;
                    lock (submittedAt)
                    {
                        if (!submittedAt.TryGetValue(e.TaskId, out sent) || !finals.TryAdd(e.TaskId, e))
                        {
                            continue;
                        }
                    }

                    latencies.Add((clock.ElapsedTicks - sent) * 1000.0 / Stopwatch.Frequency);
                    if (finals.Count == n)
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // Timed out: the result reports what is missing.
            }
        }, ct);

        var filler = new string('x', bytes);
        var inFlight = new List<Task>(window);
        for (var i = 0; i < n; i++)
        {
            var task = new SubmitTask(Guid.NewGuid(), filler, i % priorities);
            var body = JsonSerializer.SerializeToUtf8Bytes(task, WireJson.Default.SubmitTask);
            lock (submittedAt)
            {
                submittedAt[task.Id] = clock.ElapsedTicks;
            }

            inFlight.Add(broker.SubmitAsync(body, ct));
            if (inFlight.Count >= window)
            {
                await Task.WhenAll(inFlight);
                inFlight.Clear();
            }
        }

        await Task.WhenAll(inFlight);
        var submitSeconds = clock.Elapsed.TotalSeconds;
        output.Progress($"submitted {n} tasks in {submitSeconds:0.00}s; waiting for them to finish");
        await collector;
        var totalSeconds = clock.Elapsed.TotalSeconds;

        latencies.Sort();
        double Percentile(double p) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)(p * latencies.Count))];
        var perWorker = finals.Values.Where(e => e.WorkerId is not null).GroupBy(e => e.WorkerId!)
            .OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        return new BenchResult(
            n,
            finals.Values.Count(e => e.State == TaskState.Completed),
            finals.Values.Count(e => e.State == TaskState.Failed),
            finals.Values.Count(e => e.State is null),
            n - finals.Count,
            Math.Round(submitSeconds, 3),
            Math.Round(totalSeconds, 3),
            Math.Round(n / submitSeconds),
            Math.Round(finals.Count / totalSeconds),
            Math.Round(Percentile(0.5), 1),
            Math.Round(Percentile(0.9), 1),
            Math.Round(Percentile(0.99), 1),
            Math.Round(latencies.Count == 0 ? double.NaN : latencies[^1], 1),
            perWorker);
    }

    private sealed record BenchResult(
        int Tasks,
        int Completed,
        int Failed,
        int Rejected,
        int Lost,
        double SubmitSeconds,
        double TotalSeconds,
        double SubmittedPerSecond,
        double EndToEndPerSecond,
        double P50Ms,
        double P90Ms,
        double P99Ms,
        double MaxMs,
        Dictionary<string, int> TasksPerWorker)
    {
        public string ToText()
        {
            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"tasks             {Tasks} ({Completed} completed, {Failed} failed, {Rejected} rejected, {Lost} unfinished)");
            text.AppendLine(CultureInfo.InvariantCulture, $"submitted         {SubmittedPerSecond:0} tasks/s ({SubmitSeconds:0.00}s)");
            text.AppendLine(CultureInfo.InvariantCulture, $"end to end        {EndToEndPerSecond:0} tasks/s (all final after {TotalSeconds:0.00}s)");
            text.AppendLine(CultureInfo.InvariantCulture, $"submit-to-done    p50 {P50Ms} ms, p90 {P90Ms} ms, p99 {P99Ms} ms, max {MaxMs} ms");
            text.Append("per worker        ").AppendJoin(", ", TasksPerWorker.Select(p => $"{p.Key}: {p.Value}"));
            return text.ToString();
        }
    }
}
