using RabbitMQ.Client;
using Testcontainers.RabbitMq;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// One broker for the whole assembly: RABBITMQ_URL when set (deploy/test.sh sets it), else a Testcontainers
/// RabbitMQ when a Docker engine answers, else a failure that says how to get one. Never a silent skip.
/// </summary>
[SetUpFixture]
public sealed class BrokerSetup
{
    private static RabbitMqContainer? _container;

    public static string Url { get; private set; } = "";

    [OneTimeSetUp]
    public async Task StartBrokerAsync()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("RABBITMQ_URL");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            Url = fromEnvironment;
        }
        else if (DockerAnswers())
        {
            _container = new RabbitMqBuilder("rabbitmq:3.10-management").Build();
            await _container.StartAsync();
            Url = _container.GetConnectionString();
        }
        else
        {
            Assert.Fail(
                "Integration tests need RabbitMQ. Run deploy/test.sh (it installs and starts one), or set RABBITMQ_URL " +
                "to a running broker, e.g. RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5672/. No Docker engine answered either.");
        }

        try
        {
            await using var connection = await new ConnectionFactory { Uri = new Uri(Url) }.CreateConnectionAsync();
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.BrokerUnreachableException)
        {
            Assert.Fail($"RabbitMQ at {Url} does not answer ({e.InnerException?.Message ?? e.Message}). Run deploy/broker.sh to start it.");
        }
    }

    [OneTimeTearDown]
    public async Task StopBrokerAsync()
    {
        var (schedulers, workers) = Infrastructure.TestSystem.Starts;
        await TestContext.Progress.WriteLineAsync($"integration tests started {schedulers} schedulers and {workers} workers");
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    private static bool DockerAnswers() =>
        File.Exists("/var/run/docker.sock") || Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 };
}
