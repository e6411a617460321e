using Microsoft.Extensions.Logging;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Schedules;
using TaskScheduler.Scheduler.Wire;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>
/// The loop's hands on the schedules: applies requests, fires what is due as ordinary submissions (each occurrence
/// with the task id <see cref="ScheduleOccurrence.TaskId"/>), writes what changed after the turn's tasks, and
/// publishes the schedules for readers on other threads.
/// </summary>
public sealed class ScheduleRunner
{
    private readonly ScheduleBook _book;
    private readonly IScheduleStore _store;
    private readonly ILogger<ScheduleRunner> _logger;
    private long _publishedVersion = -1;

    public ScheduleRunner(ScheduleBook book, IScheduleStore store, ILogger<ScheduleRunner> logger)
    {
        _book = book;
        _store = store;
        _logger = logger;
    }

    /// <summary>The schedules as last published, by name.</summary>
    public IReadOnlyList<ScheduleView> Views { get; private set; } = [];

    public DateTimeOffset? NextWakeAt => _book.NextAt;

    public void Restore()
    {
        _book.Restore(_store.Load());
        Publish();
        _logger.LogInformation("Schedules restored: {Count}", _book.All.Count);
    }

    public string? Apply(ScheduleRequest request, DateTimeOffset now)
    {
        switch (request.Action)
        {
            case ScheduleAction.Put:
                var change = _book.Put(request.Definition!, Guid.NewGuid(), now);
                _logger.LogInformation("Schedule {Name}: {Change}", request.Name, change);
                return change.ToString().ToLowerInvariant();
            case ScheduleAction.Remove:
                return _book.Remove(request.Name) ? "removed" : null;
            default:
                var paused = request.Action == ScheduleAction.Pause;
                return _book.SetPaused(request.Name, paused, now) ? (paused ? "paused" : "resumed") : null;
        }
    }

    /// <summary>Submits every occurrence due at <paramref name="now"/> through <paramref name="submit"/>.</summary>
    public void Fire(DateTimeOffset now, Func<ParsedSubmission, SubmitVerdict> submit)
    {
        foreach (var (schedule, fireAt) in _book.TakeDue(now))
        {
            var id = ScheduleOccurrence.TaskId(schedule.Uid, fireAt);
            if (!ScheduleRequestParser.TryOccurrence(schedule.Definition.Task, id, out var task, out var problem))
            {
                _logger.LogError("Schedule {Name} cannot submit its task: {Problem}", schedule.Name, problem);
                continue;
            }

            var verdict = submit(task!);
            if (verdict.Outcome == SubmitOutcome.Accepted)
            {
                schedule.Fired++;
            }
            else if (verdict.IsRejected)
            {
                _logger.LogWarning("Schedule {Name}'s occurrence at {FireAt:O} was rejected: {Reason}", schedule.Name, fireAt, verdict.Reason);
            }
        }
    }

    /// <summary>
    /// Takes what changed since the last call and returns the write of it, or null when nothing changed; call after
    /// the turn's tasks are written. The write may be run again (a full disk is waited out by retrying it), so it
    /// holds its own copy of the changes.
    /// </summary>
    public Action? TakeWrite()
    {
        var (changed, removed) = _book.TakeChanges();
        Publish();
        return changed.Count + removed.Count > 0 ? () => _store.Write(changed, removed) : null;
    }

    private void Publish()
    {
        if (_book.Version != _publishedVersion)
        {
            _publishedVersion = _book.Version;
            Views = [.. _book.All.OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => new ScheduleView(
                s.Name, s.Uid, s.Definition.Cron, s.Definition.TimeZone, ScheduleDefinition.MisfireName(s.Definition.Misfire), s.Paused,
                s.CreatedAt, s.LastFireAt, s.Paused ? null : s.Next, s.Definition.Task) { Fired = s.Fired })];
        }
    }
}
