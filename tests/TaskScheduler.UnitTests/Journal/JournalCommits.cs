using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.UnitTests;

/// <summary>The journal's tests write a group as the engine does: one transaction, then the fsync.</summary>
internal static class JournalCommits
{
    public static void Commit(this TaskJournal journal, IEnumerable<TaskSnapshot> changes, IEnumerable<KeyValuePair<Guid, string>> newPayloads)
    {
        journal.Write(changes, newPayloads);
        journal.MakeDurable();
    }
}
