using Microsoft.Extensions.Logging;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>
/// Applies an operator's <see cref="TaskActionRequest"/> on the loop: reads what the core needs from the journal (a
/// retried task, its dependencies and the dependents it took down), asks the core, and deletes a finished task from
/// the journal. The turn's fsync makes it durable before the reply.
/// </summary>
internal sealed class TaskActions(SchedulerCore core, IJournal journal, OnDemandLoad onDemand, ILogger logger)
{
    /// <summary>
    /// One verdict per id, the core's effects added to the turn's; returns whether the journal was changed outside
    /// the turn's write (a delete), which the turn's fsync must then cover.
    /// </summary>
    public bool Apply(TaskActionRequest request, Turn turn, out IReadOnlyList<TaskActionVerdict> verdicts)
    {
        var results = new List<TaskActionVerdict>(request.Ids.Count);
        var deleted = false;
        TaskSnapshot? Lookup(Guid id) => turn.Effects.Changed.TryGetValue(id, out var changed) ? changed : journal.Find(id);
        foreach (var id in request.Ids)
        {
            onDemand.Load(request.Kind == TaskActionKind.Retry ? [] : [id], turn);
            var verdict = request.Kind switch
            {
                TaskActionKind.Retry => Keep(core.Retry(id, request.Actor, request.Why, RetryScope(id, Lookup, turn)), turn),
                TaskActionKind.ChangePriority => Keep(core.ChangePriority(id, request.Priority, request.Actor, request.Why,
                    core.FindActive(id) is null ? Lookup(id) : null), turn),
                _ => Delete(id, Lookup, turn.Effects.Changed.ContainsKey),
            };
            deleted |= request.Kind == TaskActionKind.Delete && verdict.Outcome == TaskActionOutcome.Done;
            logger.LogInformation("{Action} of task {TaskId} by {Actor} ({Why}): {Outcome} {Reason}",
                request.Kind, id, request.Actor, request.Why ?? "no reason given", verdict.Outcome, verdict.Reason);
            results.Add(verdict);
        }

        verdicts = results;
        return deleted;
    }

    private static TaskActionVerdict Keep(CoreResult<TaskActionVerdict> result, Turn turn)
    {
        turn.Effects.Add(result.Effects);
        return result.Value;
    }

    private TaskActionVerdict Delete(Guid id, Func<Guid, TaskSnapshot?> lookup, Func<Guid, bool> changedInTurn)
    {
        var verdict = core.CheckDelete(id, core.FindActive(id) is null ? lookup(id) : null);
        if (verdict.Outcome != TaskActionOutcome.Done)
        {
            return verdict;
        }

        if (changedInTurn(id))
        {
            // Finished in this very turn and not written yet: the turn's write would bring it back.
            return TaskActionVerdict.Conflict($"task {id} finished a moment ago; ask again");
        }

        return journal.Delete(id) ? verdict : TaskActionVerdict.NotFound;
    }

    /// <summary>
    /// The task, its dependencies, and the tasks that failed because of it, down the graph, each with its own
    /// dependencies: what <see cref="SchedulerCore.Retry"/> needs. A graph is bounded, so this is too.
    /// </summary>
    private Dictionary<Guid, TaskSnapshot> RetryScope(Guid id, Func<Guid, TaskSnapshot?> lookup, Turn turn)
    {
        var scope = new Dictionary<Guid, TaskSnapshot>();
        if (core.FindActive(id) is not null || lookup(id) is not { } task)
        {
            return scope;
        }

        var visit = new Queue<TaskSnapshot>();
        scope[id] = task;
        visit.Enqueue(task);
        while (visit.TryDequeue(out var current))
        {
            // A dependency still pending that a restore has not loaded yet is loaded now: the core then holds it.
            onDemand.Load(current.DependsOn, turn);
            foreach (var dependency in current.DependsOn.Where(d => !scope.ContainsKey(d) && core.FindActive(d) is null))
            {
                if (lookup(dependency) is { } known)
                {
                    scope[dependency] = known;
                }
            }

            foreach (var dependent in journal.Dependents(current.Id))
            {
                if (!scope.ContainsKey(dependent.Id) && core.FindActive(dependent.Id) is null
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
