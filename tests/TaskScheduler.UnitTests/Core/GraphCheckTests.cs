using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Queueing;

namespace TaskScheduler.UnitTests;

public class GraphCheckTests
{
    private static ParsedSubmission Task(Guid id, params Guid[] dependsOn) =>
        new(id, "p", 0, "h", 1) { DependsOn = dependsOn };

    [Test]
    public void TryOrder_PutsDependenciesFirst_WhateverTheOrderGiven()
    {
        var (a, b, c) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var outside = Guid.NewGuid();

        var ok = GraphCheck.TryOrder([Task(c, b, outside), Task(b, a), Task(a)], out var ordered, out var cycle);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.True);
            Assert.That(cycle, Is.Null);
            Assert.That(ordered.Select(t => t.Id), Is.EqualTo(new[] { a, b, c }), "a dependency outside the graph does not hold it up");
        }
    }

    [Test]
    public void TryOrder_NamesTheTasksOfACycle_InTheirOrder()
    {
        var (a, b, c, d) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        var ok = GraphCheck.TryOrder([Task(d, a), Task(a, b), Task(b, c), Task(c, a)], out _, out var cycle);

        Assert.That(ok, Is.False);
        var loop = cycle!["dependency cycle: ".Length..].Split(" depends on ").Select(Guid.Parse).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(loop[0], Is.EqualTo(loop[^1]), "the description closes the loop");
            Assert.That(loop.Distinct(), Is.EquivalentTo(new[] { a, b, c }), "d only hangs off the cycle");
        }
    }

    [Test]
    public void TryOrder_HandlesAChainOfTenThousand()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => Guid.NewGuid()).ToList();
        var tasks = ids.Select((id, i) => i == 0 ? Task(id) : Task(id, ids[i - 1])).Reverse().ToList();

        Assert.That(GraphCheck.TryOrder(tasks, out var ordered, out _), Is.True);
        Assert.That(ordered.Select(t => t.Id), Is.EqualTo(ids));
    }
}
