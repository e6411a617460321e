using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Dispatching;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Queueing;

namespace TaskScheduler.UnitTests;

public sealed class SchedulerCoreFairShareTests : SchedulerCoreFixture
{
    private void UseGroups(params (string Name, GroupPolicy Policy)[] groups) =>
        Use(new SchedulerCore(Liveness, Clock) { Groups = new GroupShares(groups.ToDictionary(g => g.Name, g => g.Policy)) });

    private List<Guid> SubmitToGroup(string? group, int count, int priority = 0)
    {
        var ids = Enumerable.Range(0, count).Select(_ => Guid.NewGuid()).ToList();
        SubmitGraph([.. ids.Select(id => Spec(id, priority) with { Group = group })]);
        return ids;
    }

    private static Dictionary<string, int> ByGroup(IEnumerable<Assignment> assignments, List<Guid> a) =>
        assignments.GroupBy(x => a.Contains(x.TaskId) ? "a" : "b").ToDictionary(g => g.Key, g => g.Count());

    [Test]
    public void GroupsOfEqualWeight_ShareFreeSlotsEqually_WhateverTheirBacklogs()
    {
        Join("w1", 4);
        Join("w2", 4);
        var a = SubmitToGroup("a", 1000);
        SubmitToGroup("b", 10);

        Assert.That(ByGroup(DispatchNow(), a), Is.EqualTo(new Dictionary<string, int> { ["a"] = 4, ["b"] = 4 }));
    }

    [Test]
    public void Slots_GoInProportionToWeights()
    {
        UseGroups(("a", new GroupPolicy { Weight = 3 }));
        Join("w1", 8);
        var a = SubmitToGroup("a", 100);
        SubmitToGroup("b", 100);

        Assert.That(ByGroup(DispatchNow(), a), Is.EqualTo(new Dictionary<string, int> { ["a"] = 6, ["b"] = 2 }));
    }

    [Test]
    public void PriorityComesFirst_AcrossGroups()
    {
        Join("w1", 4);
        var a = SubmitToGroup("a", 10, priority: 5);
        SubmitToGroup("b", 10, priority: 0);

        Assert.That(ByGroup(DispatchNow(), a), Is.EqualTo(new Dictionary<string, int> { ["a"] = 4 }));
    }

    [Test]
    public void AGroupThatRunsLess_GetsTheNextFreedSlots_UntilTheSharesAreEven()
    {
        Join("w1", 6);
        var a = SubmitToGroup("a", 100);
        var first = DispatchNow();
        var b = SubmitToGroup("b", 100);
        var starts = new List<Assignment>();

        // Steady state: one running task ends at a time, in the order they started.
        var running = new Queue<Assignment>(first);
        for (var i = 0; i < 60; i++)
        {
            Assert.That(Core.Finish(Result(running.Dequeue())), Is.True);
            var next = DispatchNow().Single();
            starts.Add(next);
            running.Enqueue(next);
        }

        var fromB = starts.Count(s => b.Contains(s.TaskId));
        Assert.Multiple(() =>
        {
            Assert.That(starts.Take(3).All(s => b.Contains(s.TaskId)), Is.True, "the group that runs nothing catches up first");
            Assert.That(fromB, Is.InRange(30, 33), "then each group gets half");
            Assert.That(running.Count(r => a.Contains(r.TaskId)), Is.EqualTo(3));
        });
    }

    [Test]
    public void GroupRunningLimit_IsNeverExceeded_AndFreeSlotsGoToOthers()
    {
        UseGroups(("a", new GroupPolicy { MaxRunning = 2 }));
        Join("w1", 5);
        var a = SubmitToGroup("a", 20);

        var first = DispatchNow();
        Assert.That(first, Has.Count.EqualTo(2));
        Assert.That(PendingReasons.Explain(Core.Effects.Changed[a[^1]], 0, Core.View(), Now),
            Does.StartWith("group a runs 2 tasks, its limit"));

        SubmitToGroup(null, 10);
        Assert.That(DispatchNow(), Has.Count.EqualTo(3), "the default group takes the other slots");

        Assert.That(Core.Finish(Result(first[0])), Is.True);
        var next = DispatchNow();
        Assert.That(next.Select(n => a.Contains(n.TaskId)), Is.EqualTo(new[] { true }));
        Assert.That(Core.View().Groups.Single(g => g.Group == "a").Running, Is.EqualTo(2));
    }

    [Test]
    public void GroupStartRate_HoldsStartsBackUntilTheBucketRefills()
    {
        UseGroups(("a", new GroupPolicy { MaxStartsPerSecond = 2 }));
        Join("w1", 10);
        SubmitToGroup("a", 20);

        Assert.That(DispatchNow(), Has.Count.EqualTo(2));
        Clock.Advance(TimeSpan.FromMilliseconds(400));
        Assert.That(DispatchNow(), Is.Empty);
        Clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.That(DispatchNow(), Has.Count.EqualTo(1));
    }

    [Test]
    public void View_ListsGroups_WithQueuedAndRunningTasks()
    {
        UseGroups(("quiet", new GroupPolicy { Weight = 2, MaxRunning = 5 }));
        Join("w1", 3);
        SubmitToGroup("a", 4);
        SubmitToGroup(null, 1);
        DispatchNow();

        var groups = Core.View().Groups.ToDictionary(g => g.Group);

        Assert.Multiple(() =>
        {
            Assert.That(groups.Keys, Is.EqualTo(new[] { "a", "default", "quiet" }));
            Assert.That(groups["a"].Pending + groups["a"].Running, Is.EqualTo(4));
            Assert.That(groups["default"].Running, Is.EqualTo(1));
            Assert.That(groups["quiet"], Is.EqualTo(new GroupLoad("quiet", 0, 0, 2, 5, null)));
        });
    }

    [Test]
    public void NewGroupsBeyondTheLaneLimit_AreRefused_WithAReason()
    {
        Use(new SchedulerCore(Liveness, Clock) { MaxLanes = 3 });
        SubmitToGroup("a", 2);
        SubmitToGroup("b", 2);

        var verdict = Core.Submit([Spec(Guid.NewGuid()) with { Group = "c" }], new Dictionary<Guid, TaskSnapshot>());

        Assert.Multiple(() =>
        {
            Assert.That(verdict.Outcome, Is.EqualTo(SubmitOutcome.Invalid));
            Assert.That(verdict.Reason, Does.StartWith("too many tenant groups and sets of required tags would have tasks waiting (4; at most 3"));
            Assert.That(SubmitToGroup("a", 1), Has.Count.EqualTo(1), "a group that waits already takes more");
            Assert.That(SubmitToGroup(null, 1), Has.Count.EqualTo(1), "plain tasks are never refused for it");
        });
    }
}
