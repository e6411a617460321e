using System.Collections.Concurrent;
using TaskScheduler.Bench.Stages;
using TaskScheduler.Bench.Traffic;
using TaskScheduler.Client;

namespace TaskScheduler.Bench;

/// <summary>
/// One bench run against a running system, as a producer would drive it: measure the broker's ceiling, follow the
/// task events, submit (open or closed loop), wait for every task to finish, and work out the figures.
/// </summary>
public static class BenchRunner
{
    public static async Task<BenchReport> RunAsync(
        ITaskSchedulerClient client, string brokerUrl, ISchedulerReadings api, BenchSettings settings, BenchProgress progress, CancellationToken ct)
    {
        var loadAtStart = MachineLoad();
        var bodies = new SubmissionBodies(settings.PayloadBytes, settings.RunTime);

        CeilingReport? ceiling = null;
        if (settings.CeilingDuration > TimeSpan.Zero)
        {
            progress.Phase = "measuring the broker's one-hop rate";
            ceiling = await BrokerCeiling.MeasureAsync(brokerUrl, client.Topology, bodies.TypicalMessageBytes, settings.CeilingDuration, settings.Window, ct);
        }

        var (capacities, note) = await CapacitiesAsync(api, ct);
        using var management = settings.CountBrokerTraffic ? ManagementApi.For(brokerUrl, settings.ManagementUrl) : null;
        var traffic = management is null ? null : new TrafficMeter(management, client.Topology.Prefix, settings.ManagementSettle);
        if (traffic is not null)
        {
            await traffic.StartAsync(ct);
        }

        var stages = new StageMeter(api.GetMetricsTextAsync);
        await stages.StartAsync(ct);

        var clock = new BenchClock();
        progress.Elapsed = () => clock.Elapsed;
        var tasks = new ConcurrentDictionary<Guid, BenchTask>();
        using var outstanding = new SemaphoreSlim(settings.MaxOutstanding, settings.MaxOutstanding);
        await using var events = new BenchEvents(tasks, clock, progress, outstanding, settings.AcceptOnly);
        await events.StartAsync(client, ct);

        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var memory = SampleMemoryAsync(api, sampling.Token);
        progress.Phase = "submitting";
        var submission = await SubmitAsync(client, settings, bodies, clock, tasks, outstanding, progress, ct);
        if (submission.Fatal is not null && submission.Confirmed == 0)
        {
            throw submission.Fatal;
        }

        progress.Phase = settings.AcceptOnly ? "waiting for the tasks to be accepted" : "waiting for the tasks to finish";
        await events.WaitForAsync(tasks.Count, settings.Timeout, ct);
        await sampling.CancelAsync();
        var schedulerMemory = await memory;
        BrokerTraffic? brokerTraffic = null;
        if (traffic is not null)
        {
            progress.Phase = "reading the broker's counters";
            brokerTraffic = await traffic.FinishAsync(submission.Confirmed, ct);
        }

        var stageLatencies = await stages.FinishAsync(ct);

        return new BenchReport(
            Setup(settings),
            Counts(tasks.Values, submission.PublishErrors),
            BenchFigures.Throughput(tasks.Values, submission, ceiling),
            BenchFigures.Latencies(tasks.Values, clock),
            stageLatencies,
            BenchFigures.Workers(tasks.Values, capacities, note, clock),
            ceiling,
            brokerTraffic,
            schedulerMemory,
            new MachineReport(Environment.ProcessorCount, loadAtStart, MachineLoad()));
    }

    private static async Task<Submission> SubmitAsync(
        ITaskSchedulerClient client, BenchSettings settings, SubmissionBodies bodies, BenchClock clock,
        ConcurrentDictionary<Guid, BenchTask> tasks, SemaphoreSlim outstanding, BenchProgress progress, CancellationToken ct)
    {
        using var window = new PublishWindow(settings.Window);
        var first = -1L;
        var lastConfirm = 0L;
        long confirmed = 0, errors = 0;
        Exception? fatal = null;
        var pending = new List<(Guid Id, byte[] Body)>(settings.Batch);

        for (long index = 0; Volatile.Read(ref fatal) is null && (settings.Tasks is not { } n || index < n); index++)
        {
            if (settings.Rate is { } rate)
            {
                // Open loop: task i is due at i/rate whatever the system does; if we fall behind, catch up at once.
                var ahead = TimeSpan.FromSeconds(index / rate) - clock.Elapsed;
                if (ahead > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(ahead, ct);
                }
            }

            if (settings.Duration is { } duration && clock.Elapsed >= duration)
            {
                break;
            }

            await outstanding.WaitAsync(ct);
            var id = Guid.NewGuid();
            pending.Add((id, bodies.Build(id, settings.Priorities.For(index), settings.Groups > 0 ? $"g{index % settings.Groups}" : null)));
            if (pending.Count == settings.Batch)
            {
                await PublishAsync();
            }
        }

        if (pending.Count > 0)
        {
            await PublishAsync();
        }

        await window.DrainAsync(ct);
        return new Submission(first, Interlocked.Read(ref lastConfirm), Interlocked.Read(ref confirmed), Interlocked.Read(ref errors), fatal);

        // One message for the tasks gathered: alone as a task, or several as a batch.
        Task PublishAsync()
        {
            var sent = pending.ToArray();
            pending.Clear();
            return window.SendAsync(
                () =>
                {
                    var now = clock.Now;
                    foreach (var (id, _) in sent)
                    {
                        tasks[id] = new BenchTask(now);
                    }

                    if (first < 0)
                    {
                        first = now;
                    }

                    return sent.Length == 1 && settings.Batch == 1
                        ? client.SubmitJsonAsync(sent[0].Body, ct)
                        : client.PublishBatchJsonAsync(SubmissionBodies.Batch(sent.Select(s => s.Body)), ct);
                },
                error =>
                {
                    if (error is null)
                    {
                        Interlocked.Add(ref confirmed, sent.Length);
                        InterlockedMax(ref lastConfirm, clock.Now);
                        progress.CountSubmitted(sent.Length);
                        return;
                    }

                    Interlocked.Add(ref errors, sent.Length);
                    foreach (var (id, _) in sent)
                    {
                        tasks.TryRemove(id, out _);
                    }

                    outstanding.Release(sent.Length);
                    if (error is TaskSchedulerUnavailableException)
                    {
                        Interlocked.CompareExchange(ref fatal, error, null);
                    }
                },
                ct);
        }
    }

    private static async Task<(IReadOnlyDictionary<string, int>? Capacities, string? Note)> CapacitiesAsync(ISchedulerReadings api, CancellationToken ct)
    {
        try
        {
            var workers = await api.GetWorkersAsync(ct);
            return (workers.Where(w => w.Confirmed && !w.Draining).ToDictionary(w => w.Id, w => w.Capacity), null);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            return (null, $"no utilization: {e.Message}");
        }
    }

    /// <summary>Samples the scheduler's memory until cancelled; null when its API cannot be reached.</summary>
    private static async Task<SchedulerMemory?> SampleMemoryAsync(ISchedulerReadings api, CancellationToken ct)
    {
        long during = 0, sinceStart = 0;
        try
        {
            while (true)
            {
                if (await api.GetMemoryAsync(ct) is not { } sample)
                {
                    return null;
                }

                (during, sinceStart) = (Math.Max(during, sample.WorkingSet), sample.PeakWorkingSet);
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over: report what was seen.
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            return null;
        }

        return during == 0 ? null : new SchedulerMemory(Math.Round(during / 1048576.0, 1), Math.Round(sinceStart / 1048576.0, 1));
    }

    private static BenchSetup Setup(BenchSettings s) => new(
        s.Mode, s.Tasks, s.Duration?.TotalSeconds, s.Rate, s.PayloadBytes, s.Priorities.ToString(), s.RunTime?.ToString(), s.Window, s.MaxOutstanding, s.Batch);

    private static TaskCounts Counts(ICollection<BenchTask> tasks, long publishErrors)
    {
        long completed = 0, failed = 0, cancelled = 0, rejected = 0, unfinished = 0;
        foreach (var task in tasks)
        {
            switch (task.Outcome)
            {
                case "completed": completed++; break;
                case "failed": failed++; break;
                case "cancelled": cancelled++; break;
                case null: unfinished++; break;
                default: rejected++; break;
            }
        }

        return new TaskCounts(tasks.Count, completed, failed, cancelled, rejected, unfinished, publishErrors);
    }

    private static string? MachineLoad()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}

/// <summary>How the submitting went: first submission and last confirm (ticks), counts, and a fatal error if any.</summary>
public sealed record Submission(long FirstSubmit, long LastConfirm, long Confirmed, long PublishErrors, Exception? Fatal);
