using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.UnitTests;

public class BloomFilterTests
{
    [Test]
    public void MightContain_IsTrueForEveryIdAdded_AndFalseForAlmostEveryOther()
    {
        var filter = new BloomFilter(100_000, 0.01);
        var added = Enumerable.Range(0, 100_000).Select(_ => Guid.NewGuid()).ToList();
        added.ForEach(filter.Add);

        var falsePositives = Enumerable.Range(0, 100_000).Count(_ => filter.MightContain(Guid.NewGuid()));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(added.Where(id => !filter.MightContain(id)), Is.Empty, "no false negatives");
            Assert.That(falsePositives / 100_000.0, Is.LessThan(0.015), "about 1% false positives at capacity");
            Assert.That(filter.Count, Is.EqualTo(100_000));
            Assert.That(filter.Bytes, Is.LessThan(130_000), "about 9.6 bits per id");
        }
    }

    [Test]
    public void SequentialIds_DoNotCrowdTheSameBits()
    {
        // Ids a producer numbers by hand differ in a few bytes only: the hash must still spread them.
        var filter = new BloomFilter(10_000, 0.01);
        var bytes = new byte[16];
        for (var i = 0; i < 10_000; i++)
        {
            BitConverter.TryWriteBytes(bytes, i);
            filter.Add(new Guid(bytes));
        }

        var others = Enumerable.Range(10_000, 10_000).Count(i =>
        {
            BitConverter.TryWriteBytes(bytes, i);
            return filter.MightContain(new Guid(bytes));
        });
        Assert.That(others / 10_000.0, Is.LessThan(0.02));
    }
}
