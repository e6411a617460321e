using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TaskScheduler.Worker.Configuration;
using TaskScheduler.Worker.Handlers;
using TaskScheduler.Worker.Hosting;

namespace TaskScheduler.UnitTests.Worker;

public class WorkerRegistrationTests
{
    [Test]
    public void AddTaskWorker_WithConfigure_OverridesTheWorkerSection()
    {
        using var host = Build(o => o.Capacity = 7);

        var options = host.Services.GetRequiredService<IOptions<WorkerOptions>>().Value;
        Assert.That((options.Id, options.Capacity), Is.EqualTo(("from-config", 7)), "the section's id stays, configure's capacity wins");
    }

    [Test]
    public void AddTaskWorker_WithConfigure_StartsTheNodesItAsksFor()
    {
        using var host = Build(o => o.Nodes = 3);

        Assert.That(host.Services.GetServices<IHostedService>().OfType<WorkerService>().Count(), Is.EqualTo(3));
    }

    [Test]
    public void AddTaskWorker_WithConfigure_IsValidatedLikeTheConfiguration()
    {
        using var host = Build(o => o.Capacity = 0);

        var e = Assert.Throws<OptionsValidationException>(() => _ = host.Services.GetRequiredService<IOptions<WorkerOptions>>().Value);
        Assert.That(e!.Failures, Has.Some.Contains("Worker:Capacity"));
    }

    private static IHost Build(Action<WorkerOptions> configure)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Worker:Id"] = "from-config", ["Worker:Capacity"] = "2" });
        builder.AddTaskWorker<NothingHandler>(configure);
        return builder.Build();
    }

    private sealed class NothingHandler : ITaskHandler
    {
        public Task<TaskResult> RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.FromResult(TaskResult.Completed());
    }
}
