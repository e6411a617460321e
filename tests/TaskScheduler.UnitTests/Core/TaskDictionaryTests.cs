using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;

namespace TaskScheduler.UnitTests;

/// <summary>The open-addressing table of unfinished tasks by id: it answers as a dictionary would.</summary>
public class TaskDictionaryTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ScheduledTask Task(Guid? id = null) => new(id ?? Guid.NewGuid(), 0, 1, Now, "hash", 1);

    [Test]
    public void RandomAdditionsAndRemovals_AnswerAsADictionaryWould()
    {
        var random = new Random(16);
        var table = new TaskDictionary();
        var expected = new Dictionary<Guid, ScheduledTask>();
        var ids = new List<Guid>();
        for (var step = 0; step < 300_000; step++)
        {
            // Growth to 100,000, a drain that shrinks the table, then growth again.
            var growing = step < 120_000 || step > 240_000;
            if (ids.Count == 0 || random.Next(10) < (growing ? 7 : 2))
            {
                var task = Task();
                table.Add(task.Id, task);
                expected.Add(task.Id, task);
                ids.Add(task.Id);
            }
            else
            {
                var at = random.Next(ids.Count);
                var id = ids[at];
                ids[at] = ids[^1];
                ids.RemoveAt(ids.Count - 1);
                Assert.That(table.Remove(id), Is.True, $"step {step}");
                expected.Remove(id);
                Assert.That(table.ContainsKey(id), Is.False, $"step {step}: removed");
            }

            if (step % 30_000 == 0)
            {
                Assert.That(expected.All(pair => table.TryGetValue(pair.Key, out var t) && ReferenceEquals(t, pair.Value)), Is.True, $"step {step}");
            }
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(table, Has.Count.EqualTo(expected.Count));
            Assert.That(table.Keys.Order(), Is.EqualTo(expected.Keys.Order()));
            Assert.That(expected.All(pair => ReferenceEquals(table[pair.Key], pair.Value)), Is.True);
            Assert.That(table.Remove(Guid.NewGuid()), Is.False);
        }
    }

    [Test]
    public void IdsThatShareTheirHash_AreAllFound_AndRemovedOneByOne()
    {
        // Guid.GetHashCode xors the id's four ints: these ids differ only in ways that cancel out.
        var ids = Enumerable.Range(1, 200).Select(i =>
        {
            var bytes = new byte[16];
            BitConverter.TryWriteBytes(bytes.AsSpan(0, 4), i);
            BitConverter.TryWriteBytes(bytes.AsSpan(4, 4), i);
            return new Guid(bytes);
        }).ToList();
        var table = new TaskDictionary();
        var tasks = ids.Select(id => Task(id)).ToList();
        tasks.ForEach(t => table.Add(t.Id, t));

        for (var i = 0; i < tasks.Count; i += 2)
        {
            Assert.That(table.Remove(tasks[i].Id), Is.True);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(table, Has.Count.EqualTo(100));
            Assert.That(tasks.Where((_, i) => i % 2 == 1).All(t => ReferenceEquals(table[t.Id], t)), Is.True);
            Assert.That(tasks.Where((_, i) => i % 2 == 0).Any(t => table.ContainsKey(t.Id)), Is.False);
        }
    }

    [Test]
    public void TheIndexer_ReplacesATaskHeldUnderItsId_AndRefusesAnotherId()
    {
        var table = new TaskDictionary();
        var id = Guid.NewGuid();
        var first = Task(id);
        var second = Task(id);
        table[id] = first;
        table[id] = second;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(table, Has.Count.EqualTo(1));
            Assert.That(table[id], Is.SameAs(second));
            Assert.That(() => table.Add(id, first), Throws.ArgumentException);
            Assert.That(() => table[Guid.NewGuid()] = first, Throws.ArgumentException);
            Assert.That(() => table[Guid.NewGuid()], Throws.TypeOf<KeyNotFoundException>());
        }
    }
}
