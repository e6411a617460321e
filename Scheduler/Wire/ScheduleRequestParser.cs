using System.Text.Json;
using System.Text.Json.Nodes;
using Cronos;
using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Schedules;

namespace TaskScheduler.Scheduler.Wire;

/// <summary>
/// Reads a schedule as users send it: <c>{"name":"nightly","cron":"0 2 * * *","timeZone":"Europe/Paris",
/// "misfire":"skip","payload":"report","priority":5}</c>. Besides the four schedule fields, the object is the task
/// each occurrence submits (any submission field but <c>id</c>, which each occurrence gets, and <c>runAt</c>,
/// <c>delay</c> and <c>dependsOn</c>, which an occurrence cannot have); it is validated as a submission now.
/// Never throws: a request becomes a definition or a reason.
/// </summary>
public static class ScheduleRequestParser
{
    private static readonly string[] ScheduleFields = ["name", "cron", "timeZone", "misfire"];
    private static readonly string[] Refused = ["id", "runAt", "delay", "dependsOn"];

    public static bool TryParse(JsonObject body, out ScheduleDefinition? definition, out string? problem)
    {
        definition = null;
        var fields = new Dictionary<string, JsonNode?>(StringComparer.OrdinalIgnoreCase);
        var task = new JsonObject();
        foreach (var (key, value) in body)
        {
            if (Refused.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                problem = $"a schedule's task cannot have '{key}': each occurrence gets its own id and runs at its fire time";
                return false;
            }

            if (ScheduleFields.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                fields[key] = value;
            }
            else
            {
                task[key] = value?.DeepClone();
            }
        }

        var name = Text(fields, "name");
        if (!TagNames.IsValid(name))
        {
            problem = $"field 'name' must be a schedule name (letters, digits, -_.: up to {TagNames.MaxLength} characters)";
            return false;
        }

        var cron = Text(fields, "cron")?.Trim();
        try
        {
            var parts = cron?.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length ?? 0;
            _ = CronExpression.Parse(cron ?? "", parts == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            problem = $"field 'cron' is not a cron expression of five fields (or six, seconds first): {e.Message}";
            return false;
        }

        var zone = Text(fields, "timeZone") ?? "UTC";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            problem = $"field 'timeZone' is not a time zone this machine knows (such as UTC or Europe/Paris): '{Shorten(zone)}'";
            return false;
        }

        var misfireText = Text(fields, "misfire") ?? "run-once";
        MisfirePolicy? misfire = misfireText switch { "run-once" => MisfirePolicy.RunOnce, "skip" => MisfirePolicy.Skip, _ => null };
        if (misfire is null)
        {
            problem = $"field 'misfire' is run-once or skip, not '{Shorten(misfireText)}'";
            return false;
        }

        var template = task.ToJsonString();
        if (!TryOccurrence(template, Guid.NewGuid(), out _, out problem))
        {
            problem = $"the schedule's task: {problem}";
            return false;
        }

        definition = new ScheduleDefinition(name!, string.Join(' ', cron!.Split(' ', StringSplitOptions.RemoveEmptyEntries)), zone, misfire.Value, template);
        return true;
    }

    /// <summary>The submission of one occurrence: the schedule's task with the occurrence's id.</summary>
    public static bool TryOccurrence(string template, Guid id, out ParsedSubmission? task, out string? problem)
    {
        var node = JsonNode.Parse(template)!.AsObject();
        node["id"] = id.ToString();
        using var document = JsonSerializer.SerializeToDocument(node);
        var ok = SubmissionParser.TryRead(document.RootElement, out task, out var rejection);
        problem = rejection?.Reason;
        return ok;
    }

    private static string? Text(Dictionary<string, JsonNode?> fields, string name) =>
        fields.TryGetValue(name, out var node) && node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string Shorten(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "…");
}
