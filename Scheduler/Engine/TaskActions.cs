using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>
/// Applies an operator's <see cref="TaskActionRequest"/> on the loop: reads what the core needs from the journal (a
/// retried task, its dependencies and the dependents it took down), asks the core, and deletes a finished task from
/// the journal. The group's fsync makes it durable before the reply.
/// </summary>
public sealed class TaskActions
{
    private readonly SchedulerCore _core;
    private readonly TaskJournal _journal;
    private readonly ILogger _logger;

    public TaskActions(SchedulerCore core, TaskJournal journal, ILogger logger)
    {
        _core = core;
        _journal = journal;
        _logger = logger;
    }

    /// <summary>
    /// One verdict per id. <paramref name="lookup"/> finds a task the core does not hold as the group left it;
    /// <paramref name="changedInGroup"/> says whether the group changed it and has not written it yet; returns
    /// whether the journal was changed outside the group's write (a delete).
    /// </summary>
    public bool Apply(TaskActionRequest request, Func<Guid, TaskSnapshot?> lookup, Func<Guid, bool> changedInGroup, out IReadOnlyList<TaskActionVerdict> verdicts)
    {
        var results = new List<TaskActionVerdict>(request.Ids.Count);
        var deleted = false;
        foreach (var id in request.Ids)
        {
            var verdict = request.Kind switch
            {
                TaskActionKind.Retry => _core.Retry(id, request.Actor, request.Why, RetryScope(id, lookup)),
                TaskActionKind.ChangePriority => _core.ChangePriority(id, request.Priority, request.Actor, request.Why,
                    _core.FindActive(id) is null ? lookup(id) : null),
                _ => Delete(id, request, lookup, changedInGroup),
            };
            deleted |= request.Kind == TaskActionKind.Delete && verdict.Outcome == TaskActionOutcome.Done;
            _logger.LogInformation("{Action} of task {TaskId} by {Actor} ({Why}): {Outcome} {Reason}",
                request.Kind, id, request.Actor, request.Why ?? "no reason given", verdict.Outcome, verdict.Reason);
            results.Add(verdict);
        }

        verdicts = results;
        return deleted;
    }

    private TaskActionVerdict Delete(Guid id, TaskActionRequest request, Func<Guid, TaskSnapshot?> lookup, Func<Guid, bool> changedInGroup)
    {
        var verdict = _core.CheckDelete(id, _core.FindActive(id) is null ? lookup(id) : null);
        if (verdict.Outcome != TaskActionOutcome.Done)
        {
            return verdict;
        }

        if (changedInGroup(id))
        {
            // Finished in this very group and not written yet: the group's write would bring it back.
            return TaskActionVerdict.Conflict($"task {id} finished a moment ago; ask again");
        }

        return _journal.Delete(id) ? verdict : TaskActionVerdict.NotFound;
    }

    /// <summary>
    /// The task, its dependencies, and the tasks that failed because of it, down the graph, each with its own
    /// dependencies: what <see cref="SchedulerCore.Retry"/> needs. A graph is bounded, so this is too.
    /// </summary>
    private Dictionary<Guid, TaskSnapshot> RetryScope(Guid id, Func<Guid, TaskSnapshot?> lookup)
    {
        var scope = new Dictionary<Guid, TaskSnapshot>();
        if (_core.FindActive(id) is not null || lookup(id) is not { } task)
        {
            return scope;
        }

        var visit = new Queue<TaskSnapshot>();
        scope[id] = task;
        visit.Enqueue(task);
        while (visit.TryDequeue(out var current))
        {
            foreach (var dependency in current.DependsOn.Where(d => !scope.ContainsKey(d) && _core.FindActive(d) is null))
            {
                if (lookup(dependency) is { } known)
                {
                    scope[dependency] = known;
                }
            }

            foreach (var dependent in _journal.Dependents(current.Id))
            {
                if (!scope.ContainsKey(dependent.Id) && _core.FindActive(dependent.Id) is null
                    && lookup(dependent.Id) is { } latest && SchedulerCore.FailedForDependency(latest))
                {
                    scope[dependent.Id] = latest;
                    visit.Enqueue(latest);
                }
            }
        }

        return scope;
    }
}
