using System.CommandLine;
using TaskScheduler.Cli.Invocation;
using TaskScheduler.Client;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Cli.Commands;

/// <summary>
/// <c>tasks schedule add NAME --cron EXPR PAYLOAD [--tz ZONE] [--misfire run-once|skip] [task options]</c>,
/// <c>tasks schedule list</c>, <c>tasks schedule pause|resume|remove NAME</c>.
/// </summary>
public static class ScheduleCommand
{
    public static Command Create()
    {
        var command = new Command("schedule", "Recurring tasks: a cron expression in a time zone submits a task at each occurrence")
        {
            Add(), List(), Toggle("pause", "Stop a schedule from firing until it is resumed", paused: true),
            Toggle("resume", "Let a paused schedule fire again, from now on", paused: false), Remove(),
        };
        return command;
    }

    private static Command Add()
    {
        var name = new Argument<string>("name") { Description = "The schedule's name (letters, digits, -_.:); adding it again replaces it" };
        var payload = new Argument<string>("payload") { Description = "The payload each occurrence's task gets" };
        var cron = new Option<string>("--cron") { Description = "Five fields (minute hour day month weekday), or six with seconds first", Required = true };
        var zone = new Option<string>("--tz") { Description = "The time zone the expression is read in (UTC, Europe/Paris)", DefaultValueFactory = _ => "UTC" };
        var misfire = new Option<string>("--misfire") { Description = "Occurrences missed while the scheduler was down: run-once (one task for them) or skip", DefaultValueFactory = _ => "run-once" };
        var priority = new Option<int>("--priority", "-p") { Description = "Higher runs first (default 0)" };
        var maxRetries = new Option<int>("--max-retries") { Description = "Retry a failed run up to N times" };
        var requires = new Option<string[]>("--requires") { Description = "Worker tags each task needs", AllowMultipleArgumentsPerToken = true };
        var group = new Option<string?>("--group") { Description = "The tenant group of each task" };
        var command = new Command("add", "Create a schedule, or replace the one of that name") { name, payload, cron, zone, misfire, priority, maxRetries, requires, group };
        command.SetAction((result, ct) => CliRunner.RunAsync(result, async output =>
        {
            if (result.GetValue(misfire) is not ("run-once" or "skip"))
            {
                throw new CliException(ExitCodes.Usage, "--misfire is run-once or skip");
            }

            var task = new SubmitTask(Guid.Empty, result.GetValue(payload)!, result.GetValue(priority))
            {
                MaxRetries = result.GetValue(maxRetries),
                Requires = result.GetValue(requires) is { Length: > 0 } tags ? tags : null,
                Group = result.GetValue(group),
            };
            await using var client = ClientFactory.Create(result);
            var state = await Call(() => client.SetScheduleAsync(
                result.GetValue(name)!, result.GetValue(cron)!, task, result.GetValue(zone)!, result.GetValue(misfire) == "skip", ct));
            output.Result(state, new { name = result.GetValue(name), state });
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "The schedules, with their next and last fire times");
        command.SetAction((result, ct) => CliRunner.RunAsync(result, async output =>
        {
            await using var client = ClientFactory.Create(result);
            var schedules = await client.GetSchedulesAsync(ct);
            var lines = schedules.Select(s =>
                $"{s.Name,-24} {s.Cron,-20} {s.TimeZone,-16} {(s.Paused ? "paused" : "next " + Time(s.NextFireAt)),-30} last {Time(s.LastFireAt)}  fired {s.Fired}  misfire {s.Misfire}");
            output.Result(schedules.Count == 0 ? "no schedules" : string.Join(Environment.NewLine, lines), schedules);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Toggle(string verb, string description, bool paused)
    {
        var name = new Argument<string>("name") { Description = "The schedule's name" };
        var command = new Command(verb, description) { name };
        command.SetAction((result, ct) => CliRunner.RunAsync(result, async output =>
        {
            await using var client = ClientFactory.Create(result);
            var found = await Call(() => client.PauseScheduleAsync(result.GetValue(name)!, paused, ct));
            return Answer(found, result.GetValue(name)!, paused ? "paused" : "resumed", output);
        }));
        return command;
    }

    private static Command Remove()
    {
        var name = new Argument<string>("name") { Description = "The schedule's name" };
        var command = new Command("remove", "Delete a schedule; the tasks it submitted stay") { name };
        command.SetAction((result, ct) => CliRunner.RunAsync(result, async output =>
        {
            await using var client = ClientFactory.Create(result);
            var found = await Call(() => client.RemoveScheduleAsync(result.GetValue(name)!, ct));
            return Answer(found, result.GetValue(name)!, "removed", output);
        }));
        return command;
    }

    private static int Answer(bool found, string name, string state, Output output)
    {
        if (!found)
        {
            throw new CliException(ExitCodes.NotFound, $"no schedule named '{name}'");
        }

        output.Result(state, new { name, state });
        return ExitCodes.Ok;
    }

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (TaskSchedulerClientException e) when (e is not TaskSchedulerUnavailableException)
        {
            throw new CliException(ExitCodes.Usage, e.Message);
        }
    }

    private static string Time(DateTimeOffset? at) =>
        at?.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) ?? "-";
}
