using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using TaskScheduler.Contracts;
using TaskScheduler.Dashboard;

namespace TaskScheduler.Cli.Top;

/// <summary>Draws one frame of <c>tasks top</c> from the scheduler's dashboard snapshot. No I/O: tests render it to text.</summary>
public static class TopView
{
    private const string Blocks = "▁▂▃▄▅▆▇█";
    private const int SparkWidth = 60;
    private const int ProgressRows = 10;
    private const int MessageWidth = 60;
    private const int ErrorWidth = 120;

    public static IRenderable Render(DashboardSnapshot s, string scheduler, string? problem = null)
    {
        var up = s.At - s.Totals.StartedAt;
        var header = new Markup(
            $"[bold]TaskScheduler[/] [grey]·[/] {Markup.Escape(scheduler)} [grey]·[/] up {Span(up)} [grey]·[/] {s.At.ToLocalTime():HH:mm:ss}" +
            (s.Ready ? "" : " [yellow](starting)[/]") +
            (s.JournalProblem is { } journal ? $" [red]{Markup.Escape(journal)}[/]" : "") +
            (problem is null ? "" : $" [red]{Markup.Escape(problem)}[/]") +
            "   [grey]q or Ctrl+C to quit[/]");

        return new Rows(
            header,
            Totals(s),
            Throughput(s),
            new Columns(Workers(s), Queue(s)) { Expand = false },
            Progress(s),
            Failures(s));
    }

    private static Table Totals(DashboardSnapshot s)
    {
        var t = s.Totals;
        var latest = s.Series.LastOrDefault(p => p.SubmitToDoneP50 is not null);
        var table = new Table().Border(TableBorder.Rounded).BorderColor(Color.Grey);
        foreach (var title in new[] { "throughput", "pending", "running", "workers", "slots busy", "submit→done p50/p95", "completed", "failed" })
        {
            table.AddColumn(new TableColumn($"[grey]{title}[/]").RightAligned());
        }

        table.AddRow(
            $"[bold]{t.Throughput.ToString("0.0", CultureInfo.InvariantCulture)}/s[/]",
            Number(t.Pending, t.Pending > 0 ? "yellow" : null),
            Number(t.Running),
            Number(t.WorkersAlive),
            t.Slots == 0 ? "[grey]none[/]" : $"{t.BusySlots}/{t.Slots} ({100 * t.BusySlots / t.Slots}%)",
            latest is null ? "[grey]–[/]" : $"{Ms(latest.SubmitToDoneP50)} / {Ms(latest.SubmitToDoneP95)}",
            Number(t.Completed, "green"),
            Number(t.Failed, t.Failed > 0 ? "red" : null));
        return table;
    }

    private static Markup Throughput(DashboardSnapshot s)
    {
        var points = s.Series.TakeLast(SparkWidth).Select(p => p.CompletedPerSecond + p.FailedPerSecond).ToList();
        var max = points.Count == 0 ? 0 : points.Max();
        var line = string.Concat(points.Select(v => max <= 0 ? Blocks[0] : Blocks[(int)Math.Round(v / max * (Blocks.Length - 1))]));
        return new Markup(
            $"[grey]finished/s, last {points.Count * s.IntervalSeconds} s[/] [green]{line}[/] [grey]peak {max.ToString("0.#", CultureInfo.InvariantCulture)}/s[/]");
    }

    private static Table Workers(DashboardSnapshot s)
    {
        var table = new Table().Border(TableBorder.Simple).BorderColor(Color.Grey).Title("[bold]workers[/]");
        table.AddColumn("worker");
        table.AddColumn("state");
        table.AddColumn("load");
        table.AddColumn(new TableColumn("heartbeat").RightAligned());
        table.AddColumn(new TableColumn("done").RightAligned());
        table.AddColumn(new TableColumn("failed").RightAligned());
        foreach (var w in s.Workers)
        {
            var state = !w.Confirmed ? "[grey]awaiting heartbeat[/]" : w.Draining ? "[yellow]draining[/]" : "[green]alive[/]";
            var age = Math.Max(0, (s.At - w.LastHeartbeatAt).TotalSeconds);
            table.AddRow(
                Markup.Escape(w.Id),
                state,
                Bar(w.InFlight, w.Capacity),
                age.ToString("0.0", CultureInfo.InvariantCulture) + " s",
                Number(w.Completed),
                Number(w.Failed, w.Failed > 0 ? "red" : null));
        }

        if (s.Workers.Count == 0)
        {
            table.AddRow("[grey]no worker registered[/]", "", "", "", "", "");
        }

        return table;
    }

    private static IRenderable Queue(DashboardSnapshot s)
    {
        if (s.Queue.Count == 0)
        {
            return new Rows(new Markup("[bold]queue by priority[/]"), new Markup("[grey]empty: every accepted task has a worker[/]"));
        }

        var chart = new BarChart().Label("[bold]queue by priority[/]").Width(40);
        foreach (var q in s.Queue.Take(10))
        {
            chart.AddItem($"priority {q.Priority}", q.Count, Color.Yellow);
        }

        return chart;
    }

    private static IRenderable Progress(DashboardSnapshot s)
    {
        if (s.Progress.Count == 0)
        {
            return new Markup("[grey]no running task reports progress[/]");
        }

        var total = Math.Max(s.ProgressTotal, s.Progress.Count);
        var shown = Math.Min(ProgressRows, s.Progress.Count);
        var title = total > shown ? $"[bold]running tasks[/] [grey]({shown} of {total})[/]" : "[bold]running tasks[/]";
        var table = new Table().Border(TableBorder.Simple).BorderColor(Color.Grey).Title(title);
        table.AddColumn("task");
        table.AddColumn("worker");
        table.AddColumn("progress");
        table.AddColumn("message");
        table.AddColumn(new TableColumn("reported").RightAligned());
        foreach (var running in s.Progress.Take(ProgressRows))
        {
            var p = running.Progress;
            var age = Math.Max(0, (s.At - p.At).TotalSeconds);
            table.AddRow(
                running.TaskId.ToString(),
                Markup.Escape(running.WorkerId),
                FractionBar(p.Fraction),
                Markup.Escape(Shorten(p.Message ?? "", MessageWidth)),
                age.ToString("0.0", CultureInfo.InvariantCulture) + " s ago");
        }

        return table;
    }

    private static IRenderable Failures(DashboardSnapshot s)
    {
        if (s.RecentFailures.Count == 0)
        {
            return new Markup("[grey]no recent failures[/]");
        }

        var table = new Table().Border(TableBorder.Simple).BorderColor(Color.Grey).Title("[bold]recent failures[/]");
        table.AddColumn("when");
        table.AddColumn("task");
        table.AddColumn("worker");
        table.AddColumn("error");
        foreach (var f in s.RecentFailures.Take(5))
        {
            table.AddRow(
                f.At.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                f.TaskId.ToString(),
                Markup.Escape(f.WorkerId ?? "-"),
                $"[red]{Markup.Escape(Shorten(f.Error ?? "no reason given", ErrorWidth))}[/]");
        }

        return table;
    }

    private static string Bar(int used, int capacity)
    {
        const int width = 10;
        var filled = capacity == 0 ? 0 : (int)Math.Round((double)used / capacity * width);
        var color = used >= capacity && capacity > 0 ? "yellow" : "blue";
        return $"[{color}]{new string('█', filled)}[/][grey]{new string('░', width - filled)}[/] {used}/{capacity}";
    }

    private static string FractionBar(double fraction)
    {
        const int width = 20;
        var share = double.IsFinite(fraction) ? Math.Clamp(fraction, 0, 1) : 0;
        var filled = (int)Math.Round(share * width);
        var percent = ((int)Math.Round(share * 100)).ToString(CultureInfo.InvariantCulture).PadLeft(3);
        return $"[cyan]{new string('█', filled)}[/][grey]{new string('░', width - filled)}[/] {percent}%";
    }

    /// <summary>One line of outside text: line breaks would tear the table, and a stack trace would fill the screen.</summary>
    private static string Shorten(string text, int width)
    {
        return BoundedText.Shorten(text.ReplaceLineEndings(" "), width);
    }

    private static string Number(long value, string? color = null)
    {
        var text = value.ToString("N0", CultureInfo.InvariantCulture);
        return color is null ? text : $"[{color}]{text}[/]";
    }

    private static string Ms(double? value) => value switch
    {
        null => "–",
        >= 1000 => (value.Value / 1000).ToString("0.0", CultureInfo.InvariantCulture) + " s",
        _ => value.Value.ToString("0", CultureInfo.InvariantCulture) + " ms",
    };

    private static string Span(TimeSpan span) => span.TotalSeconds < 60
        ? $"{(int)span.TotalSeconds} s"
        : span.TotalHours < 2 ? $"{(int)span.TotalMinutes} min" : $"{span.TotalHours:0.0} h";
}
