using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary><c>tasks top</c> against a running system; with its output piped it prints one frame and exits.</summary>
[TestFixture]
[Category("integration")]
public class TopCommandTests
{
    [Test]
    public async Task Top_ShowsTheQueueWhileNoWorkerRuns_ThenTheWorkerAndWhatItDid()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        var tasks = Enumerable.Range(0, 3).Select(i => new SubmitTask(Guid.NewGuid(), $"top {i}", 7)).ToList();
        await system.SubmitAllAsync(tasks);
        foreach (var task in tasks)
        {
            await system.WaitForStateAsync(task.Id, Contracts.TaskState.Pending);
        }

        var waiting = await CliRun.RunAsync(system, null, "top");

        system.StartWorker("top-worker", capacity: 2);
        await system.WaitForWorkersAsync("top-worker");
        foreach (var task in tasks)
        {
            await system.WaitForStateAsync(task.Id, Contracts.TaskState.Completed);
        }

        var working = await CliRun.RunAsync(system, null, "top");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(waiting.ExitCode, Is.Zero, waiting.Error);
            Assert.That(waiting.Out, Does.Contain("priority 7").And.Contain("no worker registered"));
            Assert.That(working.ExitCode, Is.Zero, working.Error);
            Assert.That(working.Out, Does.Contain("top-worker").And.Contain("alive").And.Contain("0/2"));
            Assert.That(working.Out, Does.Contain("queue by priority").And.Contain("empty"));
        }
    }

    [Test]
    public async Task Top_ListsRunningTasksWithTheProgressTheirHandlersReport()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        await using var worker = await ScriptedWorker.StartAsync(system, "top-scripted", capacity: 2);
        await system.WaitForWorkersAsync("top-scripted");
        var reporting = new SubmitTask(Guid.NewGuid(), "render frames", 3);
        var quiet = new SubmitTask(Guid.NewGuid(), "says nothing", 3);
        await system.SubmitAllAsync([reporting, quiet]);
        await worker.WaitForAssignmentAsync(reporting.Id);
        await worker.WaitForAssignmentAsync(quiet.Id);
        worker.ReportProgress(reporting.Id, 0.42, "rendering frame 42 of 100");
        await WaitForProgressAsync(system, reporting.Id, "rendering frame 42 of 100");

        var top = await CliRun.RunAsync(system, null, "top");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(top.ExitCode, Is.Zero, top.Error);
            Assert.That(top.Out, Does.Contain("running tasks").And.Contain(reporting.Id.ToString()).And.Contain("top-scripted")
                .And.Contain(" 42%").And.Contain("rendering frame 42 of 100"));
            Assert.That(top.Out, Does.Not.Contain(quiet.Id.ToString()), "a task that reports no progress is not listed");
        }
    }

    private static Task WaitForProgressAsync(TestSystem system, Guid id, string message) =>
        Eventually.That(
            async () => (await system.GetTaskAsync(id))?.Progress?.Message == message, TimeSpan.FromSeconds(60), $"task {id} to show the progress '{message}'");
}
