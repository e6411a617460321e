using System.Collections.Concurrent;
using System.Text.Json;
using Json.Schema;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>
/// Copies every event one worker publishes (<c>worker.{id}.*</c>) off the events exchange, on a queue of the test's
/// own, with its AMQP properties, and checks each against the worker protocol's JSON Schema (Contracts/Schemas/).
/// </summary>
public sealed class WorkerEventCapture : IAsyncDisposable
{
    private readonly IChannel _channel;
    private readonly ConcurrentQueue<CapturedEvent> _events = new();

    private WorkerEventCapture(IChannel channel) => _channel = channel;

    public IReadOnlyList<CapturedEvent> Events => [.. _events];

    /// <summary>Starts copying before the worker starts, so its <c>joined</c> is caught too.</summary>
    public static async Task<WorkerEventCapture> StartAsync(TestSystem system, string workerId)
    {
        var channel = await system.Connection.CreateChannelAsync();
        var capture = new WorkerEventCapture(channel);
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, system.Topology.EventsExchange, $"worker.{workerId}.*");
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            var properties = delivery.BasicProperties;
            capture._events.Enqueue(new CapturedEvent(
                delivery.RoutingKey.Split('.')[^1], properties.Type, (int)properties.DeliveryMode, properties.Expiration, properties.ContentType, delivery.Body.ToArray()));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);
        return capture;
    }

    /// <summary>Each problem a captured event's body has against the schema of its kind, naming the event.</summary>
    public IReadOnlyList<string> SchemaProblems()
    {
        var registry = new SchemaRegistry();
        var schemas = new Dictionary<string, JsonSchema>();
        var problems = new List<string>();
        foreach (var e in _events)
        {
            if (!schemas.TryGetValue(e.Kind, out var schema))
            {
                var file = Path.Combine(Repository.Root, "Contracts", "Schemas", $"{e.Kind}.schema.json");
                schema = schemas[e.Kind] = JsonSchema.FromText(File.ReadAllText(file), new BuildOptions { SchemaRegistry = registry });
            }

            using var document = JsonDocument.Parse(e.Body);
            var results = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            if (results.IsValid)
            {
                continue;
            }

            // The errors of the branches an anyOf did not take are listed too: the message's problems are among them.
            problems.AddRange((results.Details ?? []).Where(d => d.Errors is not null)
                .SelectMany(d => d.Errors!.Select(x => $"{e.Kind} {System.Text.Encoding.UTF8.GetString(e.Body)}: {d.InstanceLocation}: {x.Value}")));
        }

        return problems;
    }

    public async ValueTask DisposeAsync() => await _channel.DisposeAsync();
}
