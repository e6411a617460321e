using System.Globalization;
using Spectre.Console;

namespace TaskScheduler.Cli.Bench;

/// <summary>The bench report for people: one table, every throughput beside the broker's ceiling.</summary>
public static class BenchTable
{
    public static Table Render(BenchReport r)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("measure").AddColumn("value");
        var t = r.Tasks;
        table.AddRow("run", Markup.Escape($"{r.Setup.Mode}, {r.Setup.PayloadBytes}-byte payloads, priorities {r.Setup.Priorities}, run time {r.Setup.RunTime ?? "the workers'"}"));
        table.AddRow("tasks", Markup.Escape($"{t.Submitted:N0} submitted: {t.Completed:N0} completed, {t.Failed:N0} failed, {t.Cancelled:N0} cancelled, {t.Rejected:N0} rejected, {t.Unfinished:N0} unfinished, {t.PublishErrors:N0} publish errors"));
        if (r.Ceiling is { } c)
        {
            table.AddRow("ceiling", Markup.Escape($"{c.TasksPerSecond:N0} tasks/s (one broker hop: {c.OneHopPerSecond:N0} msg/s of {c.MessageBytes:N0} bytes, / {CeilingReport.HopsPerTask})"));
        }

        var p = r.Throughput;
        table.AddRow("submitted", Rate(p.SubmittedPerSecond, p.SubmittedToCeiling, $"in {p.SubmitSeconds:0.00}s"));
        table.AddRow("accepted", Rate(p.AcceptedPerSecond, null, "journaled and acknowledged"));
        table.AddRow("completed", Rate(p.CompletedPerSecond, p.CompletedToCeiling, $"all final after {p.TotalSeconds:0.00}s"));
        table.AddRow("submit-to-accepted", Latency(r.LatencyMs.SubmitToAccepted));
        table.AddRow("submit-to-start", Latency(r.LatencyMs.SubmitToStart));
        table.AddRow("submit-to-done", Latency(r.LatencyMs.SubmitToDone));

        var w = r.Workers;
        var spread = w.MaxDeviationFromEven is { } d ? $", at most {d:P1} from a fair share" : "";
        var perWorker = w.TasksPerWorker.Count <= 12
            ? string.Join(", ", w.TasksPerWorker.Select(x => $"{x.Key}: {x.Value:N0}"))
            : $"{w.TasksPerWorker.Values.Min():N0} to {w.TasksPerWorker.Values.Max():N0} each";
        table.AddRow("per worker", Markup.Escape($"{w.Count} workers{spread}; {perWorker}"));
        table.AddRow("utilization", Markup.Escape(w.Utilization is { } u ? $"{u:P1} of slot time busy" : w.Note ?? "not measured"));
        if (r.SchedulerMemory is { } m)
        {
            table.AddRow("scheduler memory", Markup.Escape($"{m.PeakDuringRunMiB:N0} MiB at most during the run ({m.PeakSinceStartMiB:N0} MiB since it started)"));
        }

        table.AddRow("machine", Markup.Escape($"{r.Machine.Processors} cores, load {r.Machine.LoadAtStart ?? "?"} at start, {r.Machine.LoadAtEnd ?? "?"} at end"));
        return table;
    }

    private static string Rate(double perSecond, double? toCeiling, string detail) =>
        Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{perSecond:N0} tasks/s{(toCeiling is { } x ? $" ({x:0.00} of the ceiling)" : "")}, {detail}"));

    private static string Latency(LatencySummary? l) =>
        l is null ? "-" : Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"p50 {l.P50:0.#} ms, p90 {l.P90:0.#} ms, p99 {l.P99:0.#} ms, max {l.Max:0.#} ms ({l.Count:N0} tasks)"));
}
