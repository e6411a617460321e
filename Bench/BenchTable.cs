using System.Globalization;
using Spectre.Console;
using TaskScheduler.Bench.Stages;
using TaskScheduler.Bench.Traffic;

namespace TaskScheduler.Bench;

/// <summary>The bench report for people: one table, every throughput beside the broker's one-hop rate.</summary>
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
            table.AddRow("ceiling", Ceiling(c, r.BrokerTraffic?.Total));
        }

        var p = r.Throughput;
        table.AddRow("submitted", Rate(p.SubmittedPerSecond, p.SubmittedToCeiling, $"in {p.SubmitSeconds:0.00}s"));
        table.AddRow("accepted", Rate(p.AcceptedPerSecond, null, "journaled and acknowledged"));
        table.AddRow("completed", Rate(p.CompletedPerSecond, p.CompletedToCeiling, $"all final after {p.TotalSeconds:0.00}s"));
        table.AddRow("submit-to-accepted", Latency(r.LatencyMs.SubmitToAccepted));
        table.AddRow("submit-to-start", Latency(r.LatencyMs.SubmitToStart));
        table.AddRow("submit-to-done", Latency(r.LatencyMs.SubmitToDone));
        foreach (var stage in r.StageLatencyMs)
        {
            table.AddRow(Markup.Escape($"  stage {stage.Stage}"), Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"p50 {stage.P50:0.###} ms, p90 {stage.P90:0.###} ms, p99 {stage.P99:0.###} ms ({stage.Count:N0} recorded)")));
        }

        if (r.BrokerTraffic is { } traffic)
        {
            AddTraffic(table, traffic);
        }

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

    /// <summary>The broker's one hop, and what the run's measured messages per task make of it.</summary>
    private static string Ceiling(CeilingReport c, TrafficFigures? measured)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"one broker hop: {c.OneHopPerSecond:N0} msg/s of {c.MessageBytes:N0} bytes");
        if (measured is { PublishedPerTask: > 0 } m)
        {
            text += string.Create(CultureInfo.InvariantCulture,
                $"; at the {m.PublishedPerTask:0.##} messages published per task measured below, {c.OneHopPerSecond / m.PublishedPerTask:N0} tasks/s");
        }

        return Markup.Escape(text);
    }

    private static void AddTraffic(Table table, BrokerTraffic traffic)
    {
        if (traffic.Total is not { } t)
        {
            table.AddRow("broker traffic", Markup.Escape(traffic.Note ?? "not measured"));
            return;
        }

        string ByRole(Func<TrafficFigures, double> perTask) =>
            string.Join(", ", traffic.ByRole.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key} {perTask(r.Value):0.##}")));
        table.AddRow("broker messages", Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"per task: {t.PublishedPerTask:0.##} published ({ByRole(f => f.PublishedPerTask)}), {t.DeliveredPerTask:0.##} delivered ({ByRole(f => f.DeliveredPerTask)})")
            + (traffic.Note is { } note ? $"; {note}" : "")));
        table.AddRow("broker bytes", Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"per task: {t.BytesInPerTask:N0} into the broker, {t.BytesOutPerTask:N0} out of it (AMQP frames included)")));
    }

    private static string Rate(double perSecond, double? toCeiling, string detail) =>
        Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{perSecond:N0} tasks/s{(toCeiling is { } x ? $" ({x:0.000} per one-hop message/s)" : "")}, {detail}"));

    private static string Latency(LatencySummary? l) =>
        l is null ? "-" : Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"p50 {l.P50:0.#} ms, p90 {l.P90:0.#} ms, p99 {l.P99:0.#} ms, max {l.Max:0.#} ms ({l.Count:N0} tasks)"));
}
