using TaskScheduler.Scheduler.Engine;

namespace TaskScheduler.UnitTests;

public class PayloadCacheTests
{
    [Test]
    public void Cache_HandsOutEachPayloadOnce_AndFreesItsRoom()
    {
        var cache = new PayloadCache(budgetBytes: 1024);
        var id = Guid.NewGuid();
        cache.Add(id, "resize image 42");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(cache.TryTake(id, out var payload), Is.True);
            Assert.That(payload, Is.EqualTo("resize image 42"));
            Assert.That(cache.TryTake(id, out _), Is.False, "a payload is handed out once; later reads go to the journal");
            Assert.That((cache.Count, cache.Bytes), Is.EqualTo((0, 0L)));
        }
    }

    [Test]
    public void Cache_KeepsNoMoreThanItsBudget_AndLeavesTheRestToTheJournal()
    {
        var cache = new PayloadCache(budgetBytes: 10_000);
        var ids = Enumerable.Range(0, 100).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in ids)
        {
            cache.Add(id, new string('x', 1000));
        }

        var kept = ids.Count(id => cache.TryTake(id, out _));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(kept, Is.InRange(1, 4), "2 KB of characters each against a 10 KB budget");
            Assert.That(cache.Bytes, Is.Zero);
        }
    }

    [Test]
    public void Cache_Forgets_ATaskRemovedBeforeDispatch()
    {
        var cache = new PayloadCache(budgetBytes: 1024);
        var id = Guid.NewGuid();
        cache.Add(id, "x");
        cache.Remove(id);

        Assert.That(cache.TryTake(id, out _), Is.False);
    }
}
