using System.Collections.Concurrent;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TaskScheduler.Cli.Broker;
using TaskScheduler.Contracts;

namespace TaskScheduler.Cli.Bench;

/// <summary>
/// Follows the task events of the bench's own tasks, as any other service would: the first <c>pending</c> event
/// (accepted) and the final one (completed, failed, cancelled, rejected), which carries the worker's start and
/// finish. Bound before the first submission, so nothing is missed.
/// </summary>
public sealed class BenchEvents : IAsyncDisposable
{
    private static readonly string[] Kinds = ["pending", "completed", "failed", "cancelled", Topology.RejectedKind];

    private readonly ConcurrentDictionary<Guid, BenchTask> _tasks;
    private readonly BenchClock _clock;
    private readonly BenchProgress _progress;
    private readonly SemaphoreSlim _outstanding;
    private readonly TaskCompletionSource _allDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IChannel? _channel;
    private readonly bool _untilAccepted;
    private long _finished;
    private long _expected = long.MaxValue;

    /// <param name="untilAccepted">A task counts as done once accepted: for filling a backlog that nothing runs.</param>
    public BenchEvents(ConcurrentDictionary<Guid, BenchTask> tasks, BenchClock clock, BenchProgress progress, SemaphoreSlim outstanding, bool untilAccepted = false)
    {
        _untilAccepted = untilAccepted;
        _tasks = tasks;
        _clock = clock;
        _progress = progress;
        _outstanding = outstanding;
    }

    public async Task StartAsync(BrokerClient broker, CancellationToken ct)
    {
        _channel = await broker.OpenChannelAsync(confirms: false, ct);
        var queue = (await _channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: ct)).QueueName;
        foreach (var kind in Kinds)
        {
            await broker.BindEventsAsync(_channel, queue, $"task.*.{kind}", ct);
        }

        var consumer = new AsyncEventingBasicConsumer(_channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            Record(delivery);
            return Task.CompletedTask;
        };
        await _channel.BasicConsumeAsync(queue, autoAck: true, consumer: consumer, cancellationToken: ct);
    }

    /// <summary>Completes once <paramref name="count"/> tasks have finished, or when <paramref name="timeout"/> passes.</summary>
    public async Task<bool> WaitForAsync(long count, TimeSpan timeout, CancellationToken ct)
    {
        Interlocked.Exchange(ref _expected, count);
        if (Interlocked.Read(ref _finished) >= count)
        {
            return true;
        }

        try
        {
            await _allDone.Task.WaitAsync(timeout, ct);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
        }
    }

    private void Record(BasicDeliverEventArgs delivery)
    {
        var now = _clock.Now;
        var key = delivery.RoutingKey;
        var firstDot = key.IndexOf('.', StringComparison.Ordinal);
        var lastDot = key.LastIndexOf('.');
        if (firstDot < 0 || lastDot <= firstDot
            || !Guid.TryParse(key.AsSpan(firstDot + 1, lastDot - firstDot - 1), out var id)
            || !_tasks.TryGetValue(id, out var task))
        {
            return; // Someone else's task on the same system.
        }

        var kind = key[(lastDot + 1)..];
        if (kind == "pending")
        {
            if (task.AcceptedAt < 0)
            {
                task.AcceptedAt = now;
                _progress.CountAccepted();
                if (_untilAccepted)
                {
                    CountDone();
                }
            }

            return;
        }

        lock (task)
        {
            if (task.IsDone)
            {
                return;
            }

            if (kind != Topology.RejectedKind)
            {
                try
                {
                    var change = JsonSerializer.Deserialize(delivery.Body.Span, WireJson.Default.TaskStateChanged);
                    task.WorkerId = change?.WorkerId;
                    task.StartedAt = change?.StartedAt;
                    task.FinishedAt = change?.FinishedAt;
                }
                catch (JsonException)
                {
                    // The outcome still counts; only its timings are unknown.
                }
            }

            task.DoneAt = now;
            task.Outcome = kind;
        }

        _progress.CountFinished();
        if (!_untilAccepted || kind == Topology.RejectedKind)
        {
            CountDone();
        }
    }

    private void CountDone()
    {
        _outstanding.Release();
        if (Interlocked.Increment(ref _finished) >= Interlocked.Read(ref _expected))
        {
            _allDone.TrySetResult();
        }
    }
}
