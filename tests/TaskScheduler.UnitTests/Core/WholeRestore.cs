using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;

namespace TaskScheduler.UnitTests;

/// <summary>
/// A restore in one step, for tests that start from a journal's state: the engine's own path (begin with the given
/// tasks, then a last, empty chunk), without the chunking the engine does for a large backlog.
/// </summary>
internal static class WholeRestore
{
    public static void Restore(this SchedulerCore core, IEnumerable<TaskSnapshot> unfinished, long lastSequence)
    {
        core.BeginRestore(unfinished, lastSequence);
        _ = core.RestoreChunk([], last: true);
    }
}
