using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Queueing;

namespace TaskScheduler.UnitTests;

/// <summary>
/// The B+ tree that holds a lane's tasks of one priority: it must read back in acceptance order whatever the order
/// of additions and removals, across leaf splits, merges and a tree several levels deep.
/// </summary>
public class TasksBySequenceTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ScheduledTask Task(long sequence) => new(Guid.NewGuid(), 0, sequence, Now, "hash", 1);

    private static List<long> Sequences(TasksBySequence set) => [.. set.Select(t => t.Sequence)];

    [Test]
    public void TasksAppendedInOrder_ReadBackInOrder_AcrossManyLeaves()
    {
        var set = new TasksBySequence();
        var count = TasksBySequence.NodeSize * TasksBySequence.NodeSize * 2;
        for (var i = 1; i <= count; i++)
        {
            Assert.That(set.Add(Task(i)), Is.True);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(set, Has.Count.EqualTo(count));
            Assert.That(set.First.Sequence, Is.EqualTo(1));
            Assert.That(Sequences(set), Is.EqualTo(Enumerable.Range(1, count).Select(i => (long)i)));
        }
    }

    [Test]
    public void TakingTheFirstTaskOverAndOver_DrainsInOrder_WhileNewTasksArrive()
    {
        var set = new TasksBySequence();
        var next = 1L;
        for (; next <= 20_000; next++)
        {
            set.Add(Task(next));
        }

        var taken = new List<long>();
        while (set.Count > 0)
        {
            var first = set.First;
            Assert.That(set.Remove(first), Is.True);
            taken.Add(first.Sequence);
            if (next <= 30_000 && taken.Count % 2 == 0)
            {
                set.Add(Task(next++));
            }
        }

        Assert.That(taken, Is.EqualTo(Enumerable.Range(1, 30_000).Select(i => (long)i)));
    }

    [Test]
    public void RandomAdditionsAndRemovals_KeepTheSameOrderAsASortedSet()
    {
        var random = new Random(16);
        var set = new TasksBySequence();
        var expected = new SortedDictionary<long, ScheduledTask>();
        for (var step = 0; step < 200_000; step++)
        {
            var roll = random.Next(10);
            if (roll < 6 || expected.Count == 0)
            {
                // Mostly new tasks at the end, some back in an earlier place (a requeued task keeps its sequence).
                var sequence = roll < 4 ? 1_000_000 + step : random.Next(1_000_000);
                if (expected.TryGetValue(sequence, out var present))
                {
                    Assert.That(set.Add(present), Is.False, $"step {step}: add {sequence} again");
                    continue;
                }

                var task = Task(sequence);
                Assert.That(set.Add(task), Is.True, $"step {step}: add {sequence}");
                expected.Add(sequence, task);
            }
            else if (roll < 8)
            {
                var first = expected.First();
                Assert.That(set.First, Is.SameAs(first.Value), $"step {step}: first");
                Assert.That(set.Remove(first.Value), Is.True);
                expected.Remove(first.Key);
            }
            else
            {
                var victim = expected.ElementAt(random.Next(Math.Min(expected.Count, 500))).Value;
                Assert.That(set.Remove(victim), Is.True, $"step {step}: remove {victim.Sequence}");
                expected.Remove(victim.Sequence);
            }

            if (step % 20_000 == 0)
            {
                Assert.That(Sequences(set), Is.EqualTo(expected.Keys), $"step {step}: order");
            }
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(set, Has.Count.EqualTo(expected.Count));
            Assert.That(Sequences(set), Is.EqualTo(expected.Keys));
        }
    }

    [Test]
    public void RemovingEveryOtherTaskThenTheRest_LeavesItEmpty_AndUsableAgain()
    {
        var set = new TasksBySequence();
        var tasks = Enumerable.Range(1, 50_000).Select(i => Task(i)).ToList();
        tasks.ForEach(t => set.Add(t));

        foreach (var task in tasks.Where(t => t.Sequence % 2 == 0))
        {
            Assert.That(set.Remove(task), Is.True);
        }

        Assert.That(Sequences(set), Is.EqualTo(tasks.Where(t => t.Sequence % 2 == 1).Select(t => t.Sequence)));

        // From the back, which empties the rightmost leaves first.
        foreach (var task in tasks.Where(t => t.Sequence % 2 == 1).Reverse())
        {
            Assert.That(set.Remove(task), Is.True);
        }

        Assert.That(set, Is.Empty);
        Assert.That(set.Add(tasks[0]), Is.True);
        Assert.That(set.First, Is.SameAs(tasks[0]));
    }

    [Test]
    public void AddingATaskAlreadyThere_OrRemovingOneNeverAdded_ChangesNothing()
    {
        var set = new TasksBySequence();
        var task = Task(5);
        set.Add(task);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(set.Add(task), Is.False);
            Assert.That(set.Remove(Task(5)), Is.False, "same sequence, other id");
            Assert.That(set.Remove(Task(6)), Is.False);
            Assert.That(set, Has.Count.EqualTo(1));
        }
    }

    [Test]
    public void ChangingTheSetWhileReadingIt_IsRefused()
    {
        var set = new TasksBySequence();
        set.Add(Task(1));
        set.Add(Task(2));

        Assert.That(() =>
        {
            foreach (var task in set)
            {
                set.Add(Task(task.Sequence + 10));
            }
        }, Throws.InvalidOperationException);
    }
}
