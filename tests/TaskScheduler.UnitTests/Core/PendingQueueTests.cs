using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Queueing;

namespace TaskScheduler.UnitTests;

public class PendingQueueTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ScheduledTask NewTask(int priority, long sequence) =>
        new(Guid.NewGuid(), priority, sequence, Now, "hash", 1);

    private static List<Guid> DrainAll(PendingQueue queue)
    {
        var order = new List<Guid>();
        while (queue.TryDequeue(out var id))
        {
            order.Add(id);
        }

        return order;
    }

    [Test]
    public void TryDequeue_ReturnsHigherPriorityFirst_WhateverTheOrderOfArrival()
    {
        var queue = new PendingQueue();
        var low = NewTask(priority: -3, sequence: 1);
        var normal = NewTask(priority: 0, sequence: 2);
        var high = NewTask(priority: 9, sequence: 3);
        var mid = NewTask(priority: 4, sequence: 4);
        foreach (var task in new[] { low, normal, high, mid })
        {
            queue.Add(task);
        }

        Assert.That(DrainAll(queue), Is.EqualTo(new[] { high.Id, mid.Id, normal.Id, low.Id }));
    }

    [Test]
    public void TryDequeue_IsFirstInFirstOut_WithinOnePriority()
    {
        var queue = new PendingQueue();
        var tasks = Enumerable.Range(1, 20).Select(i => NewTask(priority: 2, sequence: i)).ToList();

        // Added out of order: the acceptance sequence decides, not the order of Add calls.
        foreach (var task in tasks.AsEnumerable().Reverse())
        {
            queue.Add(task);
        }

        Assert.That(DrainAll(queue), Is.EqualTo(tasks.Select(t => t.Id)));
    }

    [Test]
    public void Add_PutsRequeuedTaskBackInItsOriginalPlace_AheadOfLaterTasks()
    {
        var queue = new PendingQueue();
        var first = NewTask(priority: 1, sequence: 1);
        var second = NewTask(priority: 1, sequence: 2);
        var third = NewTask(priority: 1, sequence: 3);
        queue.Add(first);
        queue.Add(second);
        queue.Add(third);

        Assert.That(queue.TryDequeue(out var taken), Is.True);
        Assert.That(taken, Is.EqualTo(first.Id));

        var later = NewTask(priority: 1, sequence: 4);
        queue.Add(later);
        queue.Add(first);

        Assert.That(DrainAll(queue), Is.EqualTo(new[] { first.Id, second.Id, third.Id, later.Id }));
    }

    [Test]
    public void TryDequeue_ReturnsFalse_WhenEmpty()
    {
        var queue = new PendingQueue();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(queue.TryDequeue(out var id), Is.False);
            Assert.That(id, Is.EqualTo(Guid.Empty));
            Assert.That(queue.TryPeek(out _), Is.False);
            Assert.That(queue.Count, Is.Zero);
        }
    }

    [Test]
    public void TryPeek_ShowsNextTask_WithoutRemovingIt()
    {
        var queue = new PendingQueue();
        var low = NewTask(priority: 0, sequence: 1);
        var high = NewTask(priority: 5, sequence: 2);
        queue.Add(low);
        queue.Add(high);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(queue.TryPeek(out var peeked), Is.True);
            Assert.That(peeked, Is.EqualTo(high.Id));
            Assert.That(queue.Count, Is.EqualTo(2));
        }
    }

    [Test]
    public void Remove_TakesOutOnlyThatTask_AndUpdatesCounts()
    {
        var queue = new PendingQueue();
        var a = NewTask(priority: 3, sequence: 1);
        var b = NewTask(priority: 3, sequence: 2);
        var c = NewTask(priority: 0, sequence: 3);
        queue.Add(a);
        queue.Add(b);
        queue.Add(c);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(queue.Remove(b), Is.True);
            Assert.That(queue.Remove(b), Is.False, "a task that is no longer queued cannot be removed twice");
            Assert.That(queue.Count, Is.EqualTo(2));
            Assert.That(queue.CountByPriority(), Is.EqualTo(new[] { KeyValuePair.Create(3, 1), KeyValuePair.Create(0, 1) }));
            Assert.That(DrainAll(queue), Is.EqualTo(new[] { a.Id, c.Id }));
        }
    }

    [Test]
    public void Remove_ReturnsFalse_ForTaskNeverQueued()
    {
        var queue = new PendingQueue();
        queue.Add(NewTask(priority: 1, sequence: 1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(queue.Remove(NewTask(priority: 1, sequence: 2)), Is.False);
            Assert.That(queue.Count, Is.EqualTo(1));
        }
    }

    [Test]
    public void CountByPriority_ListsHighestPriorityFirst_AndDropsEmptiedPriorities()
    {
        var queue = new PendingQueue();
        queue.Add(NewTask(priority: 0, sequence: 1));
        queue.Add(NewTask(priority: 7, sequence: 2));
        queue.Add(NewTask(priority: 0, sequence: 3));
        queue.Add(NewTask(priority: -2, sequence: 4));
        queue.Add(NewTask(priority: 0, sequence: 5));

        Assert.That(
            queue.CountByPriority(),
            Is.EqualTo(new[] { KeyValuePair.Create(7, 1), KeyValuePair.Create(0, 3), KeyValuePair.Create(-2, 1) }));

        Assert.That(queue.TryDequeue(out _), Is.True);

        Assert.That(queue.CountByPriority(), Is.EqualTo(new[] { KeyValuePair.Create(0, 3), KeyValuePair.Create(-2, 1) }));
    }

    [Test]
    public void Add_IgnoresTaskAlreadyQueued()
    {
        var queue = new PendingQueue();
        var task = NewTask(priority: 1, sequence: 1);
        queue.Add(task);
        queue.Add(task);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(queue.Count, Is.EqualTo(1));
            Assert.That(queue.CountByPriority(), Is.EqualTo(new[] { KeyValuePair.Create(1, 1) }));
            Assert.That(DrainAll(queue), Is.EqualTo(new[] { task.Id }));
        }
    }

    [Test]
    public void ALargeQueue_DrainsByPriorityThenAcceptance_WithRequeuedAndReprioritizedTasksInTheirPlace()
    {
        var random = new Random(16);
        var queue = new PendingQueue();
        var tasks = Enumerable.Range(1, 30_000).Select(i => NewTask(priority: random.Next(3), sequence: i)).ToList();
        tasks.ForEach(queue.Add);

        // A thousand taken and requeued (they return to their place), a thousand cancelled, one moved up.
        var taken = new List<Guid>();
        for (var i = 0; i < 1000; i++)
        {
            Assert.That(queue.TryDequeue(out var id), Is.True);
            taken.Add(id);
        }

        taken.ForEach(id => queue.Add(tasks.Single(t => t.Id == id)));
        var cancelled = tasks.Where((_, i) => i % 30 == 7).ToHashSet();
        foreach (var task in cancelled)
        {
            Assert.That(queue.Remove(task), Is.True);
        }

        var moved = tasks[^1];
        Assert.That(queue.Remove(moved), Is.True);
        moved.ChangePriority(9);
        queue.Add(moved);

        var expected = tasks.Where(t => !cancelled.Contains(t))
            .OrderByDescending(t => t.Priority).ThenBy(t => t.Sequence).Select(t => t.Id).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(queue.Count, Is.EqualTo(expected.Count));
            Assert.That(queue.InOrder().Select(e => e.TaskId), Is.EqualTo(expected));
            Assert.That(DrainAll(queue), Is.EqualTo(expected));
        }
    }

    [Test]
    public void Lanes_KeepTheirOwnTasks_AndTheQueueMergesThemInDispatchOrder()
    {
        var queue = new PendingQueue();
        var plain = Enumerable.Range(0, 500).Select(i => NewTask(priority: i % 2, sequence: 3 * i)).ToList();
        var gpu = Enumerable.Range(0, 500).Select(i => InLane(NewTask(priority: i % 2, sequence: (3 * i) + 1), null, "gpu")).ToList();
        var teamA = Enumerable.Range(0, 500).Select(i => InLane(NewTask(priority: i % 2, sequence: (3 * i) + 2), "team-a")).ToList();
        foreach (var task in plain.Concat(gpu).Concat(teamA).Reverse())
        {
            queue.Add(task);
        }

        var all = plain.Concat(gpu).Concat(teamA).ToList();
        var gpuLane = queue.Lanes.Single(l => l.Pool == "gpu");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(queue.Lanes, Has.Count.EqualTo(3));
            Assert.That(gpuLane.Count, Is.EqualTo(500));
            Assert.That(gpuLane.Head.TaskId, Is.EqualTo(gpu[1].Id), "its oldest task of the higher priority");
            Assert.That(queue.InOrder().Select(e => e.TaskId),
                Is.EqualTo(all.OrderByDescending(t => t.Priority).ThenBy(t => t.Sequence).Select(t => t.Id)));
        }

        Assert.That(queue.Take(gpuLane, out var first), Is.True);
        Assert.That(first, Is.EqualTo(gpu[1].Id));
        foreach (var task in gpu.Where(t => t.Id != first))
        {
            Assert.That(queue.Remove(task), Is.True);
        }

        Assert.That(queue.Lanes.Select(l => l.Pool), Is.EquivalentTo(new[] { "default", "default" }), "an emptied lane is dropped");
    }

    private static ScheduledTask InLane(ScheduledTask task, string? group, params string[] requires) =>
        new(task.Id, task.Priority, task.Sequence, task.SubmittedAt, task.ContentHash, task.PayloadBytes)
        {
            Placement = TaskPlacement.Of(null, requires, group),
        };
}
