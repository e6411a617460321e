using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.UnitTests;

/// <summary>The journal's filter of known ids: it may spare a lookup, never hide a task the journal holds.</summary>
public class KnownIdsTests : TempDirectoryTests
{
    [Test]
    public async Task Find_AnswersEveryTaskWritten_BeforeWhileAndAfterTheFilterIsBuiltInTheBackground()
    {
        var path = Path.Combine(TestDirectory, "journal.db");
        var sequence = 0L;
        var written = new List<Guid>();
        using (var journal = new TaskJournal(path, durable: false))
        {
            for (var g = 0; g < 20; g++)
            {
                written.AddRange(WriteGroup(journal, ref sequence, 100));
            }
        }

        using var reopened = new TaskJournal(path, durable: false);
        Assert.That(reopened.Find(Guid.NewGuid()), Is.Null, "a lookup asks for the filter; until it is built, the journal answers");
        Assert.That(reopened.KnownIds.Filter, Is.Null, "the build starts with the next write, not during a lookup");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (reopened.KnownIds.Filter is null)
        {
            // Groups keep coming while the journal is read: the filter must hold them too.
            written.AddRange(WriteGroup(reopened, ref sequence, 50));
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the filter was built");
            await Task.Delay(5);
        }

        written.AddRange(WriteGroup(reopened, ref sequence, 50));
        var strangers = Enumerable.Range(0, 10_000).Select(_ => Guid.NewGuid()).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(written.Where(id => reopened.Find(id) is null), Is.Empty, "every task written is found");
            Assert.That(reopened.FindMany(written.Take(300).ToList()).Count(), Is.EqualTo(300));
            Assert.That(strangers.Count(reopened.KnownIds.MightContain), Is.LessThan(200), "ids never written are known to be new, but for ~1%");
            Assert.That(strangers.Take(100).Select(reopened.Find), Is.All.Null);
            Assert.That(reopened.KnownIds.Builds, Is.EqualTo(1));
        }
    }

    [Test]
    public void AFilterFilledBeyondItsSize_IsBuiltAgainFromTheJournal_SizedFromItsCount()
    {
        var journal = Enumerable.Range(0, 1000).Select(_ => Guid.NewGuid()).ToList();
        var known = new KnownIds(() => journal.Count, () => journal.ToList());
        known.Build();
        var first = known.Filter!;

        // Retention deletes most of what was there; new tasks keep coming, up to the size the filter was made for.
        journal.RemoveRange(0, 900);
        foreach (var id in Enumerable.Range(0, (int)(first.Capacity - first.Count)).Select(_ => Guid.NewGuid()))
        {
            known.Add(id);
            journal.Add(id);
        }

        Assert.That(known.BuildRequested, Is.False, "a filter not yet beyond its size is kept");
        var next = Guid.NewGuid();
        known.Add(next);
        journal.Add(next);
        Assert.That(known.BuildRequested, Is.True, "beyond its size: to be built again");
        known.Build();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(known.Builds, Is.EqualTo(2));
            Assert.That(known.Filter!.Capacity, Is.EqualTo(2 * journal.Count), "sized from the journal's count now");
            Assert.That(journal.Where(id => !known.MightContain(id)), Is.Empty);
        }
    }

    private static List<Guid> WriteGroup(TaskJournal journal, ref long sequence, int count)
    {
        var tasks = new List<TaskSnapshot>(count);
        for (var i = 0; i < count; i++)
        {
            tasks.Add(new TaskSnapshot(Guid.NewGuid(), 0, ++sequence, TaskState.Pending, 0, null, DateTimeOffset.UnixEpoch, null, null, null, null, null, "ABCDEF", 4));
        }

        journal.Write(tasks, tasks.Select(t => new KeyValuePair<Guid, string>(t.Id, "work")));
        return [.. tasks.Select(t => t.Id)];
    }
}
