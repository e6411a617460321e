namespace TaskScheduler.Scheduler.Core.Schedules;

/// <summary>
/// Every recurring task, and which occurrences are due. Pure: time comes in as <c>now</c>. An occurrence at most
/// <see cref="MisfireThreshold"/> old is on time and fires, so a short restart catches up on what it missed; older ones
/// are misfires, and the schedule's policy decides: one task for all of them (identified by the first one missed,
/// which depends only on what was journaled, so a crash while catching up does not make a second) or none.
/// </summary>
public sealed class ScheduleBook
{
    /// <summary>More occurrences than this missed at once are skipped over without being looked at one by one.</summary>
    private const int MaxCatchUp = 100_000;

    private readonly Dictionary<string, CronSchedule> _schedules = new(StringComparer.Ordinal);
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removed = new(StringComparer.Ordinal);
    private DateTimeOffset? _nextAt;
    private long _nextAtVersion = -1;

    /// <summary>How late an occurrence may fire and still count as on time (<c>Scheduler:Schedules:MisfireThreshold</c>).</summary>
    public TimeSpan MisfireThreshold { get; init; } = TimeSpan.FromMinutes(1);

    public IReadOnlyCollection<CronSchedule> All => _schedules.Values;

    /// <summary>Bumped at every change, so readers know when to take a new picture.</summary>
    public long Version { get; private set; }

    public CronSchedule? Find(string name) => _schedules.GetValueOrDefault(name);

    public void Restore(IEnumerable<CronSchedule> schedules)
    {
        foreach (var schedule in schedules)
        {
            _schedules[schedule.Name] = schedule;
        }

        Version++;
    }

    /// <summary>Creates the schedule, or replaces one of the same name with another definition (a new uid).</summary>
    public ScheduleChange Put(ScheduleDefinition definition, Guid uid, DateTimeOffset now)
    {
        var existing = Find(definition.Name);
        if (existing is not null && existing.Definition.SameAs(definition))
        {
            return ScheduleChange.Unchanged;
        }

        _schedules[definition.Name] = new CronSchedule(definition, uid, now) { Paused = existing?.Paused ?? false };
        Changed(definition.Name);
        return existing is null ? ScheduleChange.Created : ScheduleChange.Replaced;
    }

    /// <summary>Pauses or resumes; a resumed schedule goes on from now, without the occurrences of its pause.</summary>
    public bool SetPaused(string name, bool paused, DateTimeOffset now)
    {
        if (Find(name) is not { } schedule)
        {
            return false;
        }

        if (schedule.Paused != paused)
        {
            schedule.Paused = paused;
            if (!paused)
            {
                schedule.LastFireAt = now;
            }

            Changed(name);
        }

        return true;
    }

    public bool Remove(string name)
    {
        if (!_schedules.Remove(name))
        {
            return false;
        }

        _changed.Remove(name);
        _removed.Add(name);
        Version++;
        return true;
    }

    /// <summary>When the next occurrence of any running schedule is due, or null. Worked out again only after a change.</summary>
    public DateTimeOffset? NextAt
    {
        get
        {
            if (_nextAtVersion == Version)
            {
                return _nextAt;
            }

            DateTimeOffset? next = null;
            foreach (var schedule in _schedules.Values)
            {
                if (!schedule.Paused && schedule.Next is { } at && (next is null || at < next))
                {
                    next = at;
                }
            }

            (_nextAt, _nextAtVersion) = (next, Version);
            return next;
        }
    }

    /// <summary>The occurrences to fire now, oldest first, each marked dealt with.</summary>
    public List<(CronSchedule Schedule, DateTimeOffset FireAt)> TakeDue(DateTimeOffset now)
    {
        var due = new List<(CronSchedule, DateTimeOffset)>();
        if (NextAt is not { } first || first > now)
        {
            // The loop asks at every turn: with nothing due, one comparison.
            return due;
        }

        foreach (var schedule in _schedules.Values)
        {
            var next = schedule.Paused ? null : schedule.Next;
            if (next is null || next > now)
            {
                continue;
            }

            DateTimeOffset? firstMissed = null;
            var onTime = new List<DateTimeOffset>();
            for (var seen = 0; next is { } at && at <= now; seen++)
            {
                if (now - at > MisfireThreshold)
                {
                    firstMissed ??= at;
                    if (seen > MaxCatchUp)
                    {
                        // Far behind: jump to the first occurrence that is still on time.
                        schedule.LastFireAt = now - MisfireThreshold;
                        next = schedule.Next;
                        continue;
                    }
                }
                else
                {
                    onTime.Add(at);
                }

                schedule.LastFireAt = at;
                next = schedule.NextAfter(at);
            }

            if (firstMissed is { } missed && schedule.Definition.Misfire == MisfirePolicy.RunOnce)
            {
                due.Add((schedule, missed));
            }

            due.AddRange(onTime.Select(at => (schedule, at)));
            Changed(schedule.Name);
        }

        return due;
    }

    /// <summary>What changed since the last call: schedules to write, names to delete.</summary>
    public (List<CronSchedule> Changed, List<string> Removed) TakeChanges()
    {
        var changed = _changed.Select(n => _schedules[n]).ToList();
        var removed = _removed.ToList();
        _changed.Clear();
        _removed.Clear();
        return (changed, removed);
    }

    private void Changed(string name)
    {
        _changed.Add(name);
        _removed.Remove(name);
        Version++;
    }
}
