using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>
/// During a restore, loads into the core the pending tasks an operation names before the restore's chunks reach
/// them (<see cref="SchedulerCore.LoadOnDemand"/>): a cancel, a priority change or a delete of one, a dependency of a
/// new task or of a retried one. Everything that reads "not held by the core" as "finished" is then right for them.
/// </summary>
internal sealed class OnDemandLoad(SchedulerCore core, IJournal journal)
{
    public void Load(IEnumerable<Guid> ids, Turn turn)
    {
        if (!core.IsRestoring)
        {
            return;
        }

        foreach (var id in ids)
        {
            // Changed in this turn and not held: it ended in it. Otherwise the journal holds the task as it stands.
            if (core.FindActive(id) is null && !turn.Effects.Changed.ContainsKey(id) && journal.Find(id) is { State: TaskState.Pending } task)
            {
                turn.Effects.Add(core.LoadOnDemand(task));
            }
        }
    }
}
