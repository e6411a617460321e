using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TaskScheduler.Client;

namespace TaskScheduler.UnitTests.Client;

public class ClientRegistrationTests
{
    [Test]
    public async Task AddTaskSchedulerClient_BindsTheTaskSchedulerSection()
    {
        await using var services = Services(new()
        {
            ["TaskScheduler:Broker:Url"] = "amqp://app:secret@rabbit.internal:5672/prod",
            ["TaskScheduler:Broker:Prefix"] = "jobs",
            ["TaskScheduler:SchedulerUrl"] = "http://scheduler.internal:5080",
            ["TaskScheduler:StatusPollInterval"] = "00:00:30",
        });

        var options = services.GetRequiredService<IOptions<TaskSchedulerClientOptions>>().Value;
        var client = services.GetRequiredService<ITaskSchedulerClient>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That((options.Broker.Url, options.Broker.Prefix), Is.EqualTo(("amqp://app:secret@rabbit.internal:5672/prod", "jobs")));
            Assert.That(options.SchedulerUrl, Is.EqualTo(new Uri("http://scheduler.internal:5080")));
            Assert.That(options.StatusPollInterval, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(client.Topology.SubmitExchange, Is.EqualTo("jobs.submit"));
            Assert.That(services.GetRequiredService<ITaskSchedulerClient>(), Is.SameAs(client), "one client for the application");
        }
    }

    [Test]
    public async Task AddTaskSchedulerClient_FailsOnFirstUse_NamingTheBadKey()
    {
        await using var services = Services(new() { ["TaskScheduler:Broker:Url"] = "http://not-amqp", ["TaskScheduler:StatusPollInterval"] = "-00:00:01" });

        var e = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<ITaskSchedulerClient>());
        Assert.That(e!.Failures, Has.Some.Contains("TaskScheduler:Broker:Url").And.Some.Contains("TaskScheduler:StatusPollInterval"));
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddTaskSchedulerClient();
        return services.BuildServiceProvider();
    }
}
