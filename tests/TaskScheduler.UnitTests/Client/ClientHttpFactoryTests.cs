using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TaskScheduler.Client;

namespace TaskScheduler.UnitTests.Client;

public class ClientHttpFactoryTests
{
    [Test]
    public async Task AddTaskSchedulerClient_SendsItsApiCallsThroughTheFactorysNamedClient()
    {
        using var handler = new RecordingHandler();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TaskScheduler:SchedulerUrl"] = "http://scheduler.internal:5080",
        }).Build());
        services.AddTaskSchedulerClient();
        services.AddHttpClient(TaskSchedulerClientServiceCollectionExtensions.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();
        var id = Guid.NewGuid();

        var status = await provider.GetRequiredService<ITaskSchedulerClient>().GetStatusAsync(id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.Null, "the handler answers 404: no such task");
            Assert.That(handler.Requests, Is.EqualTo(new[] { $"GET http://scheduler.internal:5080/api/tasks/{id}" }));
        }
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<string> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add($"{request.Method} {request.RequestUri}");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound));
        }
    }
}
