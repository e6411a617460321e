using System.Globalization;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Queueing;

namespace TaskScheduler.Scheduler.Core;

/// <summary>The core's submissions: single tasks and graphs, and their checks. See SchedulerCore.cs for the state they share.</summary>
public sealed partial class SchedulerCore
{
    /// <summary>Submits one plain task (an id, a priority and a payload's hash and size); see the overload it calls.</summary>
    public CoreResult<SubmitOutcome> Submit(Guid id, int priority, string contentHash, int payloadBytes, TaskSnapshot? journaled)
    {
        var (verdict, effects) = Submit(new ParsedSubmission(id, "", priority, contentHash, payloadBytes), journaled);
        return new(verdict.Outcome, effects);
    }

    /// <summary>
    /// Submits one task with whatever options it carries but dependencies (a task that depends on others is a graph,
    /// <see cref="Submit(IReadOnlyList{ParsedSubmission}, IReadOnlyDictionary{Guid, TaskSnapshot})"/>): the hot
    /// path. <paramref name="journaled"/> is what the journal holds of its id when the core does not hold it. The same
    /// id with the same priority and content is a duplicate; with others, a conflict.
    /// </summary>
    public CoreResult<SubmitVerdict> Submit(ParsedSubmission task, TaskSnapshot? journaled)
    {
        if (task.DependsOn.Count > 0)
        {
            throw new ArgumentException($"Task {task.Id} has dependencies: it is submitted as a graph.", nameof(task));
        }

        var effects = Begin();
        var existing = _active.TryGetValue(task.Id, out var active) ? active.ToSnapshot() : journaled;
        if (existing is not null)
        {
            if (existing.Priority == task.Priority && existing.ContentHash == task.ContentHash)
            {
                Counters.Duplicates++;
                return new(SubmitVerdict.Duplicate, effects);
            }

            Counters.Rejected++;
            return new(new SubmitVerdict(SubmitOutcome.Conflict, SubmitVerdict.ConflictReason), effects);
        }

        if ((task.Group is not null || task.Requires.Count > 0) && TooManyLanes([task]) is { } refused)
        {
            Counters.Rejected++;
            return new(refused, effects);
        }

        var now = _time.GetUtcNow();
        Accept(Create(task, now), now);
        return new(SubmitVerdict.Accepted, effects);
    }

    /// <summary>
    /// Submits a graph: tasks that may depend on each other and on tasks submitted before. All or nothing: an id
    /// taken by other content, an unknown dependency or a cycle rejects the whole graph. Tasks seen before with the
    /// same content are left as they are. <paramref name="journaled"/> holds what the journal knows of every id the
    /// graph names (tasks and dependencies) that is not unfinished here.
    /// </summary>
    public CoreResult<SubmitVerdict> Submit(IReadOnlyList<ParsedSubmission> tasks, IReadOnlyDictionary<Guid, TaskSnapshot> journaled)
    {
        var effects = Begin();
        if (tasks.Count > MaxGraphTasks)
        {
            Counters.Rejected++;
            return new(new SubmitVerdict(SubmitOutcome.Invalid, string.Create(CultureInfo.InvariantCulture,
                $"the graph holds {tasks.Count:N0} tasks; a graph holds at most {MaxGraphTasks:N0} (Scheduler:MaxGraphTasks)")), effects);
        }

        var verdict = Check(tasks, journaled, out var fresh, out var ordered);
        if (verdict is not null)
        {
            if (verdict.IsRejected)
            {
                Counters.Rejected++;
            }
            else
            {
                Counters.Duplicates += tasks.Count;
            }

            return new(verdict, effects);
        }

        Counters.Duplicates += tasks.Count - fresh.Count;
        var now = _time.GetUtcNow();
        var created = new Dictionary<Guid, ScheduledTask>(fresh.Count);
        foreach (var t in fresh)
        {
            // Sequences follow the order of the submission: FIFO among equals, as for separate submissions.
            created[t.Id] = Create(t, now);
        }

        // Dependencies before dependents, so a task whose dependency has already failed fails, and takes its own
        // dependents in this graph with it.
        var doomed = new Dictionary<Guid, string>();
        foreach (var t in ordered)
        {
            var task = created[t.Id];
            var failed = t.DependsOn.FirstOrDefault(d =>
                doomed.ContainsKey(d) || (journaled.TryGetValue(d, out var j) && j.State is TaskState.Failed or TaskState.Cancelled));
            if (failed == Guid.Empty)
            {
                Accept(task, now);
                continue;
            }

            var reason = doomed.TryGetValue(failed, out var why)
                ? $"dependency {failed} failed ({why})"
                : $"dependency {failed} {(journaled[failed].State == TaskState.Cancelled ? "was cancelled" : "failed")}";
            Counters.Accepted++;
            _effects.History.Add(new HistoryRecord(task.Id, TaskHistory.Accepted(now, task.Priority, task.DependsOn.Count, task.MaxRetries)));
            task.FailForDependency(reason, now);
            Counters.DependencyFailed++;
            Record(task, now, TaskHistoryEvents.DependencyFailed, null, reason);
            doomed[task.Id] = reason;
        }

        return new(SubmitVerdict.Accepted, effects);
    }

    /// <summary>A new task, numbered next in acceptance order, with its options.</summary>
    private ScheduledTask Create(ParsedSubmission t, DateTimeOffset now) =>
        new(t.Id, t.Priority, ++_sequence, now, t.ContentHash, t.PayloadBytes, t.DependsOn, t.MaxRetries)
        {
            Timeout = t.Timeout,
            Placement = TaskPlacement.Of(t.StartAfter(now), t.Requires, t.Group),
        };

    /// <summary>The refusal when these tasks would have more lanes (groups and tag sets) waiting than allowed.</summary>
    private SubmitVerdict? TooManyLanes(IEnumerable<ParsedSubmission> tasks)
    {
        var lanes = _pending.LanesAfter(tasks.Select(t => (t.Group, t.Requires)));
        return lanes <= MaxLanes ? null : new SubmitVerdict(SubmitOutcome.Invalid, string.Create(CultureInfo.InvariantCulture,
            $"too many tenant groups and sets of required tags would have tasks waiting ({lanes:N0}; at most {MaxLanes:N0}, Scheduler:MaxLanes)"));
    }

    /// <summary>Counts a submission refused before it reached the core (unreadable, invalid).</summary>
    public void CountRejected() => Counters.Rejected++;

    private void Accept(ScheduledTask task, DateTimeOffset now)
    {
        _active.Add(task.Id, task);
        Counters.Accepted++;
        if (!_dependencies.Track(task, _active))
        {
            Enqueue(task, now);
        }

        _effects.Changed[task.Id] = task.ToSnapshot();
        _effects.Events.Add(new TaskStateChanged(task.Id, task.State, task.Priority, task.Attempt, task.WorkerId, task.Error, now));
        _effects.History.Add(new HistoryRecord(task.Id, TaskHistory.Accepted(now, task.Priority, task.DependsOn.Count, task.MaxRetries)));
    }

    /// <summary>A task ready to run joins the queue, unless it was submitted to start later: then it waits for the clock.</summary>
    private void Enqueue(ScheduledTask task, DateTimeOffset now)
    {
        if (task.WaitForStart(now))
        {
            _timedWaits.Add(task);
        }
        else
        {
            _pending.Add(task);
        }
    }

    /// <summary>
    /// Returns null when the graph may be accepted (with its new tasks, and those in dependency order), else the
    /// verdict: duplicate when every task is known with the same content, or the reason for rejecting it.
    /// </summary>
    private SubmitVerdict? Check(
        IReadOnlyList<ParsedSubmission> tasks,
        IReadOnlyDictionary<Guid, TaskSnapshot> journaled,
        out List<ParsedSubmission> fresh,
        out List<ParsedSubmission> ordered)
    {
        fresh = [];
        ordered = [];
        if (tasks.Count == 0)
        {
            return new SubmitVerdict(SubmitOutcome.Invalid, "a graph holds at least one task");
        }

        var ids = new HashSet<Guid>();
        foreach (var t in tasks)
        {
            if (!ids.Add(t.Id))
            {
                return new SubmitVerdict(SubmitOutcome.Invalid, $"task {t.Id} appears more than once in the graph");
            }

            var existing = _active.TryGetValue(t.Id, out var active) ? active.ToSnapshot() : journaled.GetValueOrDefault(t.Id);
            if (existing is null)
            {
                fresh.Add(t);
            }
            else if (existing.Priority != t.Priority || existing.ContentHash != t.ContentHash)
            {
                return new SubmitVerdict(SubmitOutcome.Conflict, $"task {t.Id}: {SubmitVerdict.ConflictReason}");
            }
        }

        if (fresh.Count == 0)
        {
            return SubmitVerdict.Duplicate;
        }

        if (TooManyLanes(fresh) is { } tooMany)
        {
            return tooMany;
        }

        foreach (var t in fresh)
        {
            foreach (var dependency in t.DependsOn)
            {
                if (dependency == t.Id)
                {
                    return new SubmitVerdict(SubmitOutcome.Invalid, $"task {t.Id} depends on itself");
                }

                if (!ids.Contains(dependency) && !_active.ContainsKey(dependency) && !journaled.ContainsKey(dependency))
                {
                    return new SubmitVerdict(SubmitOutcome.Invalid, $"task {t.Id} depends on task {dependency}, which is unknown or expired");
                }
            }
        }

        return GraphCheck.TryOrder(fresh, out ordered, out var cycle) ? null : new SubmitVerdict(SubmitOutcome.Invalid, cycle);
    }
}
