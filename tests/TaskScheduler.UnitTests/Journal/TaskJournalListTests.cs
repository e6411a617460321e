using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Listing;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Journal;

namespace TaskScheduler.UnitTests;

/// <summary>The task list read from the journal's indexes: each filter, newest first, pages that join without gaps.</summary>
public class TaskJournalListTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    private string _directory = "";
    private TaskJournal _journal = null!;
    private List<TaskSnapshot> _tasks = [];

    [SetUp]
    public void SetUp()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"journal-list-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_directory);
        _journal = new TaskJournal(Path.Combine(_directory, "journal.db"), durable: false);

        // 60 tasks, one a minute: every third failed on w1, every third completed on w2, the rest pending;
        // priorities cycle 0..4; payloads "resize N" for even N, "thumb N" for odd.
        _tasks = [.. Enumerable.Range(1, 60).Select(i => Task(i))];
        _journal.Commit(_tasks, _tasks.Select(t => new KeyValuePair<Guid, string>(t.Id, (t.Sequence % 2 == 0 ? "resize " : "thumb ") + t.Sequence)));
    }

    [TearDown]
    public void TearDown()
    {
        _journal.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public void List_WithoutFilters_PagesThroughEveryTaskNewestFirst()
    {
        var all = ReadAll(new TaskListFilter { Limit = 7 });
        Assert.That(all, Is.EqualTo(_tasks.OrderByDescending(t => t.Sequence).Select(t => t.Id)));
    }

    [TestCaseSource(nameof(Filters))]
    public void List_ByEachFilter_ReturnsExactlyTheMatchingTasksAcrossPages(TaskListFilter filter, Func<TaskSnapshot, string, bool> expected)
    {
        var all = ReadAll(filter with { Limit = 3 });
        var want = _tasks.Where(t => expected(t, (t.Sequence % 2 == 0 ? "resize " : "thumb ") + t.Sequence)).ToList();
        Assert.That(want, Has.Count.GreaterThan(3), "the filter must span pages");
        Assert.That(all, Is.EquivalentTo(want.Select(t => t.Id)));
    }

    [Test]
    public void List_ByState_IsNewestFirstAndCarriesTheSummary()
    {
        var page = _journal.List(new TaskListFilter { State = TaskState.Failed, Limit = 2 });
        var newest = _tasks.Where(t => t.State == TaskState.Failed).OrderByDescending(t => t.Sequence).First();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Tasks, Has.Count.EqualTo(2));
            Assert.That(page.Tasks[0].Id, Is.EqualTo(newest.Id));
            Assert.That(page.Tasks[0].Error, Is.EqualTo("boom"));
            Assert.That(page.Tasks[0].WorkerId, Is.EqualTo("w1"));
            Assert.That(page.Tasks[0].PayloadHead, Is.EqualTo((newest.Sequence % 2 == 0 ? "resize " : "thumb ") + newest.Sequence));
            Assert.That(page.Next, Is.Not.Null);
        }
    }

    [Test]
    public void List_AfterAStateChange_FindsTheTaskUnderItsNewState()
    {
        var pending = _tasks.First(t => t.State == TaskState.Pending);
        _journal.Commit([pending with { State = TaskState.Running, WorkerId = "w9", Attempts = 1 }], []);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ReadAll(new TaskListFilter { State = TaskState.Pending }), Does.Not.Contain(pending.Id));
            Assert.That(ReadAll(new TaskListFilter { State = TaskState.Running }), Is.EqualTo(new[] { pending.Id }));
            Assert.That(ReadAll(new TaskListFilter { Worker = "w9" }), Is.EqualTo(new[] { pending.Id }));
        }
    }

    [Test]
    public void List_WithACursorOfAnotherOrder_OrNoCursorAtAll_IsRefused()
    {
        var bySubmission = _journal.List(new TaskListFilter { State = TaskState.Failed, Limit = 2 });
        var byFinish = _journal.List(new TaskListFilter { FinishedAfter = T0, Limit = 2 });

        using (Assert.EnterMultipleScope())
        {
            Assert.Throws<FormatException>(() => _journal.List(new TaskListFilter { FinishedAfter = T0, Cursor = bySubmission.Next }));
            Assert.Throws<FormatException>(() => _journal.List(new TaskListFilter { Worker = "w1", Cursor = byFinish.Next }));
            Assert.Throws<FormatException>(() => _journal.List(new TaskListFilter { Cursor = "not a cursor!" }));
        }
    }

    [Test]
    public void ListPages_WithEverNewCursorsAndValues_CompileNoNewQueries_SoMemoryDoesNotGrowWithThem()
    {
        foreach (var filter in Filters().Select(c => (TaskListFilter)c.Arguments[0]!))
        {
            ReadAll(filter with { Limit = 2 });
        }

        var before = CompiledQueries.Count;
        for (var minute = 1; minute < 30; minute++)
        {
            ReadAll(new TaskListFilter { SubmittedAfter = T0.AddMinutes(minute), Limit = 3 });
            ReadAll(new TaskListFilter { State = TaskState.Failed, FinishedBefore = T0.AddMinutes(60 - minute), Limit = 3 });
            ReadAll(new TaskListFilter { PayloadPrefix = $"thumb {minute}", Limit = 3 });
            ReadAll(new TaskListFilter { Priority = minute % 5, Limit = 3 });
            Assert.That(_journal.Dependents(_tasks[minute].Id), Is.Empty);
        }

        Assert.That(CompiledQueries.Count, Is.EqualTo(before), "pages at other cursors and values left no compiled query behind");
    }

    [TestCase("a_c", "a_c 1")]
    [TestCase("a%c", "a%c 2")]
    [TestCase("a%", "a%c 2")]
    [TestCase("%", "% off 5")]
    [TestCase("a[b", "a[b 6")]
    [TestCase("a\\", "a\\c 7")]
    public void List_ByAPayloadPrefixWithLikeWildcards_MatchesThemLiterally(string prefix, string only)
    {
        var payloads = new[] { "a_c 1", "a%c 2", "abc 3", "aXc 4", "% off 5", "a[b 6", "a\\c 7" };
        var tasks = payloads.Select((_, i) => Task(100 + i)).ToList();
        _journal.Commit(tasks, tasks.Select((t, i) => new KeyValuePair<Guid, string>(t.Id, payloads[i])));

        var listed = _journal.List(new TaskListFilter { PayloadPrefix = prefix }).Tasks.Select(t => t.PayloadHead);

        Assert.That(listed, Is.EqualTo(new[] { only }));
    }

    [Test]
    public void Dependents_AreFoundThroughTheDependencyIndex()
    {
        var root = _tasks[0];
        var dependent = Task(61) with { DependsOn = [root.Id, _tasks[1].Id] };
        _journal.Commit([dependent], [new(dependent.Id, "d")]);

        Assert.That(_journal.Dependents(root.Id).Select(t => t.Id), Is.EqualTo(new[] { dependent.Id }));
    }

    [Test]
    public void Delete_RemovesTheTaskFromLookupsAndLists()
    {
        var failed = _tasks.First(t => t.State == TaskState.Failed);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_journal.Delete(failed.Id), Is.True);
            Assert.That(_journal.Find(failed.Id), Is.Null);
            Assert.That(ReadAll(new TaskListFilter { State = TaskState.Failed }), Does.Not.Contain(failed.Id));
            Assert.That(_journal.Delete(failed.Id), Is.False);
        }
    }

    private static IEnumerable<TestCaseData> Filters()
    {
        yield return Case("state", new TaskListFilter { State = TaskState.Pending }, (t, _) => t.State == TaskState.Pending);
        yield return Case("priority", new TaskListFilter { Priority = 3 }, (t, _) => t.Priority == 3);
        yield return Case("worker", new TaskListFilter { Worker = "w2" }, (t, _) => t.WorkerId == "w2");
        yield return Case("submitted range", new TaskListFilter { SubmittedAfter = T0.AddMinutes(10), SubmittedBefore = T0.AddMinutes(40) },
            (t, _) => t.SubmittedAt >= T0.AddMinutes(10) && t.SubmittedAt < T0.AddMinutes(40));
        yield return Case("finished range", new TaskListFilter { FinishedAfter = T0.AddMinutes(20) },
            (t, _) => t.FinishedAt >= T0.AddMinutes(20));
        yield return Case("state and finished range", new TaskListFilter { State = TaskState.Failed, FinishedBefore = T0.AddMinutes(45) },
            (t, _) => t.State == TaskState.Failed && t.FinishedAt < T0.AddMinutes(45));
        yield return Case("payload prefix", new TaskListFilter { PayloadPrefix = "resize 1" }, (_, p) => p.StartsWith("resize 1", StringComparison.Ordinal));
        yield return Case("worker and payload prefix", new TaskListFilter { Worker = "w1", PayloadPrefix = "thumb" },
            (t, p) => t.WorkerId == "w1" && p.StartsWith("thumb", StringComparison.Ordinal));
        yield return Case("state and priority", new TaskListFilter { State = TaskState.Pending, Priority = 2 },
            (t, _) => t.State == TaskState.Pending && t.Priority == 2);
    }

    private static TestCaseData Case(string name, TaskListFilter filter, Func<TaskSnapshot, string, bool> expected) =>
        new TestCaseData(filter, expected).SetArgDisplayNames(name);

    private List<Guid> ReadAll(TaskListFilter filter)
    {
        var ids = new List<Guid>();
        string? cursor = null;
        for (var pages = 0; pages < 100; pages++)
        {
            var page = _journal.List(filter with { Cursor = cursor });
            ids.AddRange(page.Tasks.Select(t => t.Id));
            cursor = page.Next;
            if (cursor is null)
            {
                return ids;
            }
        }

        throw new AssertionException("the list never ended");
    }

    private static TaskSnapshot Task(int i)
    {
        var submitted = T0.AddMinutes(i);
        var state = (i % 3) switch { 0 => TaskState.Failed, 1 => TaskState.Completed, _ => TaskState.Pending };
        var snapshot = new TaskSnapshot(Guid.NewGuid(), i % 5, i, state, 0, null, submitted, null, null, null, null, null, "ABCDEF", 8);
        return state switch
        {
            TaskState.Failed => snapshot with { Attempts = 1, WorkerId = "w1", FinishedAt = submitted.AddSeconds(30), Error = "boom" },
            TaskState.Completed => snapshot with { Attempts = 1, WorkerId = "w2", FinishedAt = submitted.AddSeconds(30) },
            _ => snapshot,
        };
    }
}
