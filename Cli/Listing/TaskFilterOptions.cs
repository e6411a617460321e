using System.CommandLine;
using TaskScheduler.Bench;
using TaskScheduler.Cli.Invocation;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Listing;

namespace TaskScheduler.Cli.Listing;

/// <summary>
/// The filters <c>tasks list</c> and <c>tasks retry</c> share. <c>--since</c> and <c>--until</c> are durations back from
/// now; they bound the finish time when <c>--state</c> names an end (completed, failed, cancelled: "failed in the last
/// hour"), else the submission time.
/// </summary>
public sealed class TaskFilterOptions
{
    public Option<string?> State { get; } = new("--state") { Description = "pending, running, completed, failed or cancelled" };

    public Option<int?> Priority { get; } = new("--priority") { Description = "Only tasks of this priority" };

    public Option<string?> Worker { get; } = new("--worker") { Description = "Only tasks that run or last ran on this worker" };

    public Option<string?> Since { get; } = new("--since") { Description = "Finished (with an end state) or submitted within this long: 90s, 15m, 1h" };

    public Option<string?> Until { get; } = new("--until") { Description = "Finished (with an end state) or submitted longer ago than this" };

    public Option<string?> PayloadPrefix { get; } = new("--payload-prefix") { Description = "Only tasks whose payload starts with this text (at most 64 characters)" };

    public void AddTo(Command command)
    {
        command.Options.Add(State);
        command.Options.Add(Priority);
        command.Options.Add(Worker);
        command.Options.Add(Since);
        command.Options.Add(Until);
        command.Options.Add(PayloadPrefix);
    }

    /// <summary>The filter the options give, at <paramref name="now"/>; a <see cref="CliException"/> for a bad value.</summary>
    public TaskListFilter Read(ParseResult result, DateTimeOffset now)
    {
        TaskState? state = null;
        if (result.GetValue(State) is { } text)
        {
            state = Enum.TryParse<TaskState>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                ? parsed
                : throw new CliException(ExitCodes.Usage, $"--state must be pending, running, completed, failed or cancelled, not '{text}'");
        }

        var since = Back(result, Since, now);
        var until = Back(result, Until, now);
        var byFinish = state?.IsFinal() == true;
        return new TaskListFilter
        {
            State = state,
            Priority = result.GetValue(Priority),
            Worker = result.GetValue(Worker),
            PayloadPrefix = result.GetValue(PayloadPrefix),
            SubmittedAfter = byFinish ? null : since,
            SubmittedBefore = byFinish ? null : until,
            FinishedAfter = byFinish ? since : null,
            FinishedBefore = byFinish ? until : null,
        };
    }

    private static DateTimeOffset? Back(ParseResult result, Option<string?> option, DateTimeOffset now)
    {
        if (result.GetValue(option) is not { } text)
        {
            return null;
        }

        return DurationText.TryParse(text, out var back)
            ? now - back
            : throw new CliException(ExitCodes.Usage, $"{option.Name} must be a duration such as 90s, 15m or 1h, not '{text}'");
    }
}
