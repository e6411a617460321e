using System.Diagnostics;
using System.Net.Http.Json;
using RabbitMQ.Client;
using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// Traces leave the real processes through the standard OTLP exporter and join up in a collector: a task's spans
/// from the scheduler and the worker form one trace under the producer's span.
/// </summary>
[TestFixture]
[Category("integration")]
public class TracingTests
{
    [Test]
    public async Task Spans_FromSchedulerAndWorker_FormOneTracePerTask_UnderTheProducersSpan()
    {
        using var collector = OtlpReceiver.Start();
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync(collector.ProgramArguments);
        system.StartWorker("traced-worker", capacity: 2, extraArgs: collector.ProgramArguments);
        await system.WaitForWorkersAsync("traced-worker");

        // One producer publishes to the exchange, another posts over HTTP; each sends its own trace context.
        var overAmqp = (Task: Guid.NewGuid(), Trace: ActivityTraceId.CreateRandom(), Span: ActivitySpanId.CreateRandom());
        var overHttp = (Task: Guid.NewGuid(), Trace: ActivityTraceId.CreateRandom(), Span: ActivitySpanId.CreateRandom());
        await using (var channel = await system.Connection.CreateChannelAsync(new CreateChannelOptions(true, true)))
        {
            var properties = new BasicProperties
            {
                DeliveryMode = DeliveryModes.Persistent,
                Headers = new Dictionary<string, object?> { ["traceparent"] = $"00-{overAmqp.Trace}-{overAmqp.Span}-01" },
            };
            var body = System.Text.Encoding.UTF8.GetBytes($$"""{"id":"{{overAmqp.Task}}","payload":"traced over AMQP","priority":3}""");
            await channel.BasicPublishAsync(system.Topology.SubmitExchange, "", true, properties, body);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/tasks"))
        {
            request.Headers.Add("traceparent", $"00-{overHttp.Trace}-{overHttp.Span}-01");
            request.Content = JsonContent.Create(new { id = overHttp.Task, payload = "traced over HTTP", priority = 1 });
            using var response = await system.Api.SendAsync(request);
            Assert.That((int)response.StatusCode, Is.EqualTo(202));
        }

        foreach (var (task, trace, producer) in new[] { overAmqp, overHttp })
        {
            var spans = await SpansOfAsync(collector, task, ["task.accept", "task.assign", "task.execute", "task.result"]);
            var accept = spans.Single(s => s.Name == "task.accept");
            var assign = spans.Single(s => s.Name == "task.assign");
            var execute = spans.Single(s => s.Name == "task.execute");
            var result = spans.Single(s => s.Name == "task.result");
            using (Assert.EnterMultipleScope())
            {
                Assert.That(spans.Select(s => s.TraceId).Distinct(), Is.EqualTo(new[] { trace.ToHexString() }), "one trace, the producer's");
                Assert.That(accept.ParentSpanId, Is.EqualTo(producer.ToHexString()));
                Assert.That(assign.ParentSpanId, Is.EqualTo(accept.SpanId));
                Assert.That(execute.ParentSpanId, Is.EqualTo(assign.SpanId), "the worker continued the context it got in the AMQP headers");
                Assert.That(result.ParentSpanId, Is.EqualTo(assign.SpanId));
                Assert.That((accept.Service, assign.Service, execute.Service, result.Service),
                    Is.EqualTo(("taskscheduler-scheduler", "taskscheduler-scheduler", "taskscheduler-worker", "taskscheduler-scheduler")));
                Assert.That(execute.Attributes["worker.id"], Is.EqualTo("traced-worker"));
                Assert.That(result.Attributes["task.state"], Is.EqualTo(nameof(TaskState.Completed)));
            }
        }
    }

    private static Task<List<ReceivedSpan>> SpansOfAsync(OtlpReceiver collector, Guid task, string[] names) =>
        Eventually.Returns(
            () => Task.FromResult(collector.Spans().Where(s => s.Attributes.GetValueOrDefault("task.id") == task.ToString()).ToList()),
            spans => names.All(n => spans.Any(s => s.Name == n)),
            TimeSpan.FromSeconds(60),
            $"the spans [{string.Join(", ", names)}] of task {task}",
            spans => $"[{string.Join(", ", spans.Select(s => s.Name))}], of {collector.Spans().Count} spans in all");
}
