using System.Globalization;
using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core.Lifecycle;

namespace TaskScheduler.Scheduler.Core;

/// <summary>
/// An operator's actions on tasks: retry a Failed or Cancelled task (and the dependents it took down with it), change
/// the priority of a waiting task, and the check before a finished task is deleted. Each names who acted and why in
/// the task's history. See SchedulerCore.cs for the state they share.
/// </summary>
public sealed partial class SchedulerCore
{
    /// <summary>
    /// Sends a Failed or Cancelled task back to the queue under the same id with its priority: its next attempt
    /// starts afresh. Its dependents that failed because of it (and theirs, down the graph) return to waiting for it.
    /// <paramref name="journaled"/> holds the journal's record of the task, of its dependencies, and of the tasks
    /// that depend on it, directly or not, and failed for it (<see cref="FailedForDependency"/>), with their dependencies.
    /// </summary>
    public CoreResult<TaskActionVerdict> Retry(Guid id, string actor, string? why, IReadOnlyDictionary<Guid, TaskSnapshot> journaled)
    {
        var effects = Begin();
        if (_active.TryGetValue(id, out var active))
        {
            return new(TaskActionVerdict.Conflict($"task {id} is {active.State}: only a Failed or Cancelled task can be retried"), effects);
        }

        if (!journaled.TryGetValue(id, out var finished))
        {
            return new(TaskActionVerdict.NotFound, effects);
        }

        if (finished.State is not (TaskState.Failed or TaskState.Cancelled))
        {
            return new(TaskActionVerdict.Conflict($"task {id} is {finished.State}: only a Failed or Cancelled task can be retried"), effects);
        }

        if (BlockingDependency(finished, journaled) is { } blocked)
        {
            return new(TaskActionVerdict.Conflict($"task {id} cannot run again: {blocked}"), effects);
        }

        var now = _time.GetUtcNow();
        var by = By(actor, why);
        Reopen(finished, $"retried {by}", now, by);
        var released = new List<Guid>();
        var parents = new Queue<Guid>();
        parents.Enqueue(id);
        while (parents.TryDequeue(out var parent))
        {
            foreach (var dependent in journaled.Values.Where(t => FailedBecauseOf(t, parent)).OrderBy(t => t.Sequence))
            {
                if (_active.ContainsKey(dependent.Id) || BlockingDependency(dependent, journaled) is not null)
                {
                    continue;
                }

                Reopen(dependent, $"its dependency {parent} was retried", now, $"dependency {parent} retried {by}");
                released.Add(dependent.Id);
                parents.Enqueue(dependent.Id);
            }
        }

        return new(TaskActionVerdict.Done with { Released = released }, effects);
    }

    /// <summary>Whether the task failed because a dependency failed or was cancelled, so a retry of it may release it.</summary>
    public static bool FailedForDependency(TaskSnapshot task) =>
        task.State == TaskState.Failed && task.Error?.StartsWith("dependency ", StringComparison.Ordinal) == true;

    /// <summary>
    /// Gives a waiting task (in the queue, waiting on dependencies or on a retry's backoff) another priority; in the
    /// queue it takes its new place. A running or finished task keeps its own.
    /// </summary>
    public CoreResult<TaskActionVerdict> ChangePriority(Guid id, int priority, string actor, string? why, TaskSnapshot? journaled)
    {
        var effects = Begin();
        if (!_active.TryGetValue(id, out var task))
        {
            return new(journaled is null ? TaskActionVerdict.NotFound
                : TaskActionVerdict.Conflict($"task {id} is {journaled.State}: only a Pending task's priority can change"), effects);
        }

        if (task.State != TaskState.Pending)
        {
            return new(TaskActionVerdict.Conflict($"task {id} is {task.State}: only a Pending task's priority can change"), effects);
        }

        var old = task.Priority;
        if (old == priority)
        {
            return new(TaskActionVerdict.Done, effects);
        }

        var queued = _pending.Remove(task);
        task.ChangePriority(priority);
        if (queued)
        {
            _pending.Add(task);
        }

        var now = _time.GetUtcNow();
        Record(task, now, TaskHistoryEvents.PriorityChanged, null,
            string.Create(CultureInfo.InvariantCulture, $"{old} to {priority} {By(actor, why)}"));
        return new(TaskActionVerdict.Done, effects);
    }

    /// <summary>Whether a task may be deleted: only a finished one, which the core no longer holds.</summary>
    public TaskActionVerdict CheckDelete(Guid id, TaskSnapshot? journaled) =>
        _active.TryGetValue(id, out var task)
            ? TaskActionVerdict.Conflict($"task {id} is {task.State}: only a finished task can be deleted (cancel it first)")
            : journaled is null ? TaskActionVerdict.NotFound
            : !journaled.State.IsFinal() ? TaskActionVerdict.Conflict($"task {id} is {journaled.State}: only a finished task can be deleted (cancel it first)")
            : TaskActionVerdict.Done;

    private void Reopen(TaskSnapshot finished, string note, DateTimeOffset now, string detail)
    {
        var task = ScheduledTask.Reopen(finished, note);
        _active.Add(task.Id, task);
        if (!_dependencies.Track(task, _active))
        {
            _pending.Add(task);
        }

        Record(task, now, TaskHistoryEvents.Retried, null, detail);
    }

    /// <summary>Why the task could not run if it went back to waiting: a dependency that failed, was cancelled or is gone.</summary>
    private string? BlockingDependency(TaskSnapshot task, IReadOnlyDictionary<Guid, TaskSnapshot> journaled)
    {
        foreach (var dependency in task.DependsOn)
        {
            if (_active.ContainsKey(dependency))
            {
                continue;
            }

            if (!journaled.TryGetValue(dependency, out var known))
            {
                return $"its dependency {dependency} is unknown or expired";
            }

            if (known.State != TaskState.Completed)
            {
                return $"its dependency {dependency} is {known.State}: retry that first";
            }
        }

        return null;
    }

    private static bool FailedBecauseOf(TaskSnapshot task, Guid dependency) =>
        FailedForDependency(task) && task.DependsOn.Contains(dependency)
        && task.Error!.StartsWith($"dependency {dependency} ", StringComparison.Ordinal);

    private static string By(string actor, string? why) => string.IsNullOrWhiteSpace(why) ? $"by {actor}" : $"by {actor}: {why}";
}
