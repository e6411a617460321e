using System.Diagnostics;
using System.Text.RegularExpressions;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// The accounts deploy/users.sh creates are enough to run the system, and no more: a worker reads only its own
/// queues and speaks only for itself, a producer only submits.
/// </summary>
[TestFixture]
[Category("integration")]
public partial class LeastPrivilegeTests
{
    private readonly List<string> _users = [];
    private string _prefix = "";

    [TearDown]
    public async Task DeleteUsersAsync()
    {
        foreach (var user in _users)
        {
            await RunAsync("rabbitmqctl", ["-q", "delete_user", user]);
        }
    }

    [Test]
    public async Task SystemRunsOnLeastPrivilegeAccounts_AndAWorkerCannotTouchAnotherWorkersQueue()
    {
        await using var system = await TestSystem.CreateAsync();
        _prefix = system.Prefix;
        var scheduler = await CreateAsync("scheduler");
        var workers = await CreateAsync("worker", "w1", "w2");
        var producer = await CreateAsync("producer", "cli");

        await system.StartSchedulerAsync([$"--Broker:Url={scheduler[0]}"]);
        system.StartWorker("w1", extraArgs: [$"--Broker:Url={workers[0]}"]);
        system.StartWorker("w2", extraArgs: [$"--Broker:Url={workers[1]}"]);
        await system.WaitForWorkersAsync("w1", "w2");
        var submitted = await CliRun.RunAsync(system, null, "--broker", producer[0], "submit", "least privilege", "--wait");

        var topology = system.Topology;
        await using var asW1 = await new ConnectionFactory { Uri = new Uri(workers[0]) }.CreateConnectionAsync();
        await using var asProducer = await new ConnectionFactory { Uri = new Uri(producer[0]) }.CreateConnectionAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(submitted.ExitCode, Is.Zero, $"a task runs end to end on these accounts: {submitted.Out} {submitted.Error}");
            Assert.That(await RefusedAsync(asW1, c => c.BasicGetAsync(topology.WorkerQueue("w2"), autoAck: true)), Is.True,
                "w1 cannot take w2's assignments");
            Assert.That(await RefusedAsync(asW1, c => c.QueuePurgeAsync(topology.WorkerControlQueue("w2"))), Is.True,
                "w1 cannot empty w2's control queue");
            Assert.That(await RefusedAsync(asW1, c => Publish(c, topology.EventsExchange, Topology.WorkerEventKey("w2", "result"))), Is.True,
                "w1 cannot report a result in w2's name");
            Assert.That(await RefusedAsync(asW1, c => c.ExchangeDeleteAsync(topology.EventsExchange)), Is.True,
                "w1 cannot delete the events exchange");
            Assert.That(await RefusedAsync(asW1, c => Publish(c, topology.SubmitExchange, "")), Is.True,
                "a worker does not submit");
            Assert.That(await RefusedAsync(asProducer, c => c.BasicGetAsync(topology.SubmitQueue, autoAck: true)), Is.True,
                "a producer cannot read others' submissions");
            Assert.That(await RefusedAsync(asProducer, c => Publish(c, topology.EventsExchange, Topology.WorkerEventKey("w1", "result"))), Is.True,
                "a producer cannot pose as a worker");
            Assert.That(await RefusedAsync(asW1, c => Publish(c, topology.EventsExchange, Topology.WorkerEventKey("w1", "heartbeat"))), Is.False,
                "w1 may speak for itself");
        }
    }

    [Test]
    public async Task WorkerPoolAccount_RunsAnyWorker_ButCannotSubmitReadSubmissionsOrTouchTheSchedulersQueues()
    {
        // The account compose and Kubernetes give their autoscaled workers (deploy/users.sh workers).
        await using var system = await TestSystem.CreateAsync();
        _prefix = system.Prefix;
        var scheduler = await CreateAsync("scheduler");
        var pool = await CreateAsync("workers");
        var producer = await CreateAsync("producer", "cli");

        await system.StartSchedulerAsync([$"--Broker:Url={scheduler[0]}"]);
        system.StartWorker("pod-a1", extraArgs: [$"--Broker:Url={pool[0]}"]);
        system.StartWorker("pod-b2", extraArgs: [$"--Broker:Url={pool[0]}"]);
        await system.WaitForWorkersAsync("pod-a1", "pod-b2");
        var submitted = await CliRun.RunAsync(system, null, "--broker", producer[0], "submit", "pool account", "--wait");

        var topology = system.Topology;
        await using var asPool = await new ConnectionFactory { Uri = new Uri(pool[0]) }.CreateConnectionAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(submitted.ExitCode, Is.Zero, $"a task runs end to end on these accounts: {submitted.Out} {submitted.Error}");
            Assert.That(await RefusedAsync(asPool, c => Publish(c, topology.SubmitExchange, "")), Is.True, "the pool does not submit");
            Assert.That(await RefusedAsync(asPool, c => c.BasicGetAsync(topology.SubmitQueue, autoAck: true)), Is.True,
                "the pool cannot read submissions");
            Assert.That(await RefusedAsync(asPool, c => c.QueuePurgeAsync(topology.SchedulerEventsQueue)), Is.True,
                "the pool cannot empty the scheduler's events queue");
            Assert.That(await RefusedAsync(asPool, c => c.ExchangeDeleteAsync(topology.EventsExchange)), Is.True,
                "the pool cannot delete the events exchange");
            Assert.That(await RefusedAsync(asPool, c => Publish(c, topology.EventsExchange, "task.x.completed")), Is.True,
                "the pool cannot forge task events");
        }
    }

    [Test]
    public async Task ApiListeningBeyondLoopback_RefusesToStartWithoutAKey_AndThenWantsItForChanges()
    {
        await using var system = await TestSystem.CreateAsync();
        var everywhere = system.SchedulerUrl.Replace("127.0.0.1", "0.0.0.0", StringComparison.Ordinal);
        var keyless = system.Start("scheduler-keyless", Repository.Program("Scheduler", "TaskScheduler.Scheduler.dll"),
            ["--urls", everywhere, $"--Broker:Url={system.BrokerUrl}", $"--Broker:Prefix={system.Prefix}", $"--Journal:Path={system.JournalPath}"]);
        Assert.That(await keyless.WaitForExitAsync(TimeSpan.FromSeconds(60)), Is.True, "a keyless scheduler beyond loopback does not start");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(keyless.ExitCode, Is.EqualTo(2));
            Assert.That(keyless.ReadLog(), Does.Contain("Api:Key"));
        }

        const string key = "correct-horse-battery-staple";
        await system.StartSchedulerAsync(["--urls", everywhere, $"--Api:Key={key}"]);
        var task = "{\"payload\": \"guarded\"}";
        using var without = await system.Api.PostAsync(new Uri("/api/tasks", UriKind.Relative), new StringContent(task, System.Text.Encoding.UTF8, "application/json"));
        using var wrong = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/tasks", UriKind.Relative)) { Content = new StringContent(task, System.Text.Encoding.UTF8, "application/json") };
        wrong.Headers.Add("X-Api-Key", "guess");
        using var wrongAnswer = await system.Api.SendAsync(wrong);
        using var right = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/tasks", UriKind.Relative)) { Content = new StringContent(task, System.Text.Encoding.UTF8, "application/json") };
        right.Headers.Add("X-Api-Key", key);
        using var rightAnswer = await system.Api.SendAsync(right);
        using var read = await system.Api.GetAsync(new Uri("/api/workers", UriKind.Relative));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(without.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Unauthorized));
            Assert.That(wrongAnswer.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Unauthorized));
            Assert.That(rightAnswer.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Accepted));
            Assert.That(read.IsSuccessStatusCode, Is.True, "reads stay open");
        }
    }

    private async Task<List<string>> CreateAsync(params string[] args)
    {
        var (code, output) = await RunAsync(Path.Combine(Repository.Root, "deploy", "users.sh"), args);
        Assert.That(code, Is.Zero, $"deploy/users.sh {string.Join(' ', args)}: {output}");
        _users.AddRange(args[0] switch
        {
            "scheduler" => [$"{_prefix}-scheduler"],
            "worker" => args.Skip(1).Select(id => $"{_prefix}-worker-{id}"),
            "workers" => [$"{_prefix}-workers"],
            _ => [$"{_prefix}-producer-{args[1]}"],
        });
        return [.. AmqpUrl().Matches(output).Select(m => m.Value)];
    }

    private async Task<(int Code, string Output)> RunAsync(string program, string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["PREFIX"] = _prefix;
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    /// <summary>Runs one operation on a fresh channel; true when the broker refused it with ACCESS_REFUSED.</summary>
    private static async Task<bool> RefusedAsync(IConnection connection, Func<IChannel, Task> operation)
    {
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        try
        {
            await operation(channel);
            return false;
        }
        catch (Exception e) when (e is OperationInterruptedException or AlreadyClosedException or PublishException)
        {
            return channel.CloseReason?.ReplyCode == Constants.AccessRefused;
        }
    }

    private static async Task Publish(IChannel channel, string exchange, string routingKey) =>
        await channel.BasicPublishAsync(exchange, routingKey, false, new BasicProperties(), "{}"u8.ToArray());

    [GeneratedRegex(@"amqp://\S+")]
    private static partial Regex AmqpUrl();
}
