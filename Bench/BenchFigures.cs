namespace TaskScheduler.Bench;

/// <summary>The arithmetic of a bench report, from the tasks as the bench saw them.</summary>
public static class BenchFigures
{
    public static Throughput Throughput(ICollection<BenchTask> tasks, Submission submission, CeilingReport? ceiling)
    {
        var first = submission.FirstSubmit;
        long lastAccepted = first, lastDone = first, accepted = 0, done = 0;
        foreach (var task in tasks)
        {
            if (task.AcceptedAt >= 0)
            {
                accepted++;
                lastAccepted = Math.Max(lastAccepted, task.AcceptedAt);
            }

            if (task.IsDone)
            {
                done++;
                lastDone = Math.Max(lastDone, task.DoneAt);
            }
        }

        var submitted = PerSecond(submission.Confirmed, submission.LastConfirm - first);
        var completed = PerSecond(done, lastDone - first);
        return new Throughput(
            submitted,
            PerSecond(accepted, lastAccepted - first),
            completed,
            Math.Round(BenchClock.Seconds(submission.LastConfirm - first), 3),
            Math.Round(BenchClock.Seconds(lastDone - first), 3),
            ceiling is null ? null : Math.Round(submitted / ceiling.OneHopPerSecond, 3),
            ceiling is null ? null : Math.Round(completed / ceiling.OneHopPerSecond, 3));
    }

    public static LatencyReport Latencies(ICollection<BenchTask> tasks, BenchClock clock)
    {
        var accepted = new List<double>(tasks.Count);
        var started = new List<double>(tasks.Count);
        var done = new List<double>(tasks.Count);
        foreach (var task in tasks)
        {
            var submitted = BenchClock.Milliseconds(task.SubmittedAt);
            if (task.AcceptedAt >= 0)
            {
                accepted.Add(BenchClock.Milliseconds(task.AcceptedAt) - submitted);
            }

            if (task.StartedAt is { } start)
            {
                // The worker's clock against ours: on one machine they agree to well under a millisecond.
                started.Add(Math.Max(0, clock.MillisecondsSinceStart(start) - submitted));
            }

            if (task.IsDone)
            {
                done.Add(BenchClock.Milliseconds(task.DoneAt) - submitted);
            }
        }

        return new LatencyReport(LatencySummary.Of(accepted), LatencySummary.Of(started), LatencySummary.Of(done));
    }

    public static WorkerReport Workers(ICollection<BenchTask> tasks, IReadOnlyDictionary<string, int>? capacities, string? note, BenchClock clock)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var id in capacities?.Keys ?? [])
        {
            counts[id] = 0;
        }

        foreach (var task in tasks)
        {
            if (task.WorkerId is { } worker && task.Outcome is "completed" or "failed")
            {
                counts[worker] = counts.GetValueOrDefault(worker) + 1;
            }
        }

        return new WorkerReport(counts.Count, counts, Deviation(counts, capacities), Utilization(tasks, capacities, clock), note);
    }

    /// <summary>
    /// Largest distance of a worker's count from its fair share, relative to that share. The fair share is
    /// proportional to capacity where capacities are known, else even.
    /// </summary>
    private static double? Deviation(IReadOnlyDictionary<string, long> counts, IReadOnlyDictionary<string, int>? capacities)
    {
        var total = counts.Values.Sum();
        if (counts.Count == 0 || total == 0)
        {
            return null;
        }

        var capacityTotal = capacities is null ? 0 : counts.Keys.Sum(id => capacities.GetValueOrDefault(id));
        var worst = 0.0;
        foreach (var (id, count) in counts)
        {
            var share = capacityTotal > 0 ? (double)total * capacities!.GetValueOrDefault(id) / capacityTotal : (double)total / counts.Count;
            if (share > 0)
            {
                worst = Math.Max(worst, Math.Abs(count - share) / share);
            }
        }

        return Math.Round(worst, 4);
    }

    /// <summary>
    /// Busy slot time over available slot time, between the first task's start and the last one's: after the last
    /// start there is nothing left to hand out, so idle slots then say nothing about dispatch.
    /// </summary>
    private static double? Utilization(ICollection<BenchTask> tasks, IReadOnlyDictionary<string, int>? capacities, BenchClock clock)
    {
        if (capacities is null || capacities.Count == 0)
        {
            return null;
        }

        var runs = tasks.Where(t => t.StartedAt is not null && t.FinishedAt is not null)
            .Select(t => (Start: clock.MillisecondsSinceStart(t.StartedAt!.Value), End: clock.MillisecondsSinceStart(t.FinishedAt!.Value)))
            .ToList();
        if (runs.Count < 2)
        {
            return null;
        }

        var from = runs.Min(r => r.Start);
        var to = runs.Max(r => r.Start);
        if (to <= from)
        {
            return null;
        }

        var busy = runs.Sum(r => Math.Max(0, Math.Min(r.End, to) - Math.Max(r.Start, from)));
        return Math.Round(busy / (capacities.Values.Sum() * (to - from)), 4);
    }

    private static double PerSecond(long count, long ticks) => ticks <= 0 ? 0 : Math.Round(count / BenchClock.Seconds(ticks), 1);
}
