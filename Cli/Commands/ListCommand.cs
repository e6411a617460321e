using System.CommandLine;
using System.Globalization;
using System.Text;
using TaskScheduler.Cli.Invocation;
using TaskScheduler.Cli.Listing;
using TaskScheduler.Contracts.Listing;

namespace TaskScheduler.Cli.Commands;

/// <summary><c>tasks list [filters] [--limit N] [--cursor C] [--all]</c></summary>
public static class ListCommand
{
    public static Command Create()
    {
        var filters = new TaskFilterOptions();
        var limit = new Option<int>("--limit") { Description = "Tasks per page (1 to 1,000)", DefaultValueFactory = _ => 50 };
        var cursor = new Option<string?>("--cursor") { Description = "Continue from a previous page's next" };
        var all = new Option<bool>("--all") { Description = "Every page, not only the first" };
        var command = new Command("list", "List tasks newest first, by state, priority, worker, time and payload prefix") { limit, cursor, all };
        filters.AddTo(command);
        command.SetAction((result, ct) => CliRunner.RunAsync(result, async output =>
        {
            var filter = filters.Read(result, DateTimeOffset.UtcNow) with { Limit = result.GetValue(limit), Cursor = result.GetValue(cursor) };
            if (filter.Problem() is { } problem)
            {
                throw new CliException(ExitCodes.Usage, problem);
            }

            await using var client = ClientFactory.Create(result);
            var tasks = new List<TaskSummary>();
            TaskPage page;
            do
            {
                page = await client.ListTasksAsync(filter, ct);
                tasks.AddRange(page.Tasks);
                filter = filter with { Cursor = page.Next };
            }
            while (result.GetValue(all) && page.Next is not null);

            output.Result(Table(tasks, page.Next), new TaskPage(tasks, page.Next));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string Table(List<TaskSummary> tasks, string? next)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"ID",-36}  {"STATE",-9} {"PRIO",4} {"TRIES",5}  {"WORKER",-16} {"SUBMITTED",-19}  {"FINISHED",-19}  PAYLOAD / ERROR");
        foreach (var t in tasks)
        {
            var what = t.Error is { } error ? $"{Head(t.PayloadHead)}  ! {Shorten(error, 60)}" : Head(t.PayloadHead);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{t.Id,-36}  {t.State,-9} {t.Priority,4} {t.Attempts,5}  {t.WorkerId ?? "-",-16} {Time(t.SubmittedAt),-19}  {Time(t.FinishedAt),-19}  {what}");
        }

        text.Append(CultureInfo.InvariantCulture, $"{tasks.Count} tasks");
        if (next is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"; more with --cursor {next} (or --all)");
        }

        return text.ToString();
    }

    private static string Head(string? payload) => Shorten(payload ?? "", 30);

    private static string Shorten(string text, int max) =>
        (text.Length <= max ? text : text[..(max - 1)] + "…").ReplaceLineEndings(" ");

    private static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-";
}
