using TaskScheduler.Client;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.UnitTests.Client;

/// <summary>What a caller of the client sees before anything reaches the broker.</summary>
public class ClientSurfaceTests
{
    [Test]
    public void TheInterface_OffersEveryPublicMemberOfTheClient()
    {
        static IEnumerable<string> Members(Type type) => type.GetMethods().Where(m => !m.IsSpecialName && m.DeclaringType != typeof(object))
            .Select(m => $"{m.ReturnType.Name} {m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))})")
            .Concat(type.GetProperties().Select(p => $"{p.PropertyType.Name} {p.Name}"));

        var offered = Members(typeof(ITaskSchedulerClient)).Concat(Members(typeof(IAsyncDisposable))).ToHashSet();
        Assert.That(Members(typeof(TaskSchedulerClient)).Where(m => !offered.Contains(m)), Is.Empty, "members only the concrete client has");
    }

    [Test]
    public void ANewTask_GetsAFreshVersion4Id()
    {
        var first = TaskSchedulerClient.NewTask("resize 42", 5, configure: null);
        var second = TaskSchedulerClient.NewTask("resize 42", 5, configure: null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((first.Payload, first.Priority), Is.EqualTo(("resize 42", 5)));
            Assert.That(first.Id.Version, Is.EqualTo(4));
            Assert.That(second.Id, Is.Not.EqualTo(first.Id));
        }
    }

    [Test]
    public void ANewTask_KeepsTheOptionsItIsGiven_ButNotAnotherId()
    {
        var chosen = Guid.NewGuid();

        var task = TaskSchedulerClient.NewTask("resize 42", 0, t => t with { Id = chosen, MaxRetries = 3, Group = "team-a", Priority = 7 });

        using (Assert.EnterMultipleScope())
        {
            Assert.That((task.MaxRetries, task.Group, task.Priority), Is.EqualTo((3, "team-a", 7)));
            Assert.That(task.Id, Is.Not.EqualTo(chosen), "the id is the client's, so the one it returns is the one submitted");
        }
    }

    [Test]
    public async Task SubmitInBatches_RefusesABatchSizeBelowOne_BeforeSendingAnything()
    {
        await using var client = NewClient();

        Assert.Throws<ArgumentOutOfRangeException>(() => client.SubmitInBatchesAsync([AnyTask()], batchSize: 0).GetAwaiter().GetResult());
    }

    [Test]
    public async Task SubmitBatchWithOutcomes_RefusesAnEmptyOrOversizedBatch_BeforeSendingAnything()
    {
        await using var client = NewClient();
        var tooMany = Enumerable.Range(0, Limits.DefaultMaxBatchTasks + 1).Select(_ => AnyTask()).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.Throws<ArgumentException>(() => client.SubmitBatchWithOutcomesAsync([]).GetAwaiter().GetResult());
            Assert.Throws<ArgumentException>(() => client.SubmitBatchWithOutcomesAsync(tooMany).GetAwaiter().GetResult());
        }
    }

    [Test]
    public async Task SubmitWithOptions_RefusesNoOptions()
    {
        await using var client = NewClient();

        Assert.Throws<ArgumentNullException>(() => client.SubmitAsync("payload", configure: null!).GetAwaiter().GetResult());
    }

    private static SubmitTask AnyTask() => new(Guid.NewGuid(), "payload", 0);

    // Nothing connects before the first call that needs the broker or the API.
    private static TaskSchedulerClient NewClient() => new(new TaskSchedulerClientOptions());
}
