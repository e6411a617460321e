using System.Collections.Concurrent;

namespace TaskScheduler.Scheduler.Transport;

/// <summary>What keeps the scheduler's broker side from working right now, for the readiness check; empty when all is well.</summary>
public sealed class BrokerHealth
{
    private const string Connection = "connection";
    private readonly ConcurrentDictionary<string, string> _problems = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Problems => [.. _problems.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value)];

    public void ConnectionDown(string why) => _problems[Connection] = why;

    public void ConnectionUp() => _problems.TryRemove(Connection, out _);

    public void Blocked(string? why)
    {
        if (why is null)
        {
            _problems.TryRemove(nameof(Blocked), out _);
        }
        else
        {
            _problems[nameof(Blocked)] = why;
        }
    }

    public void ConsumerDown(string queue, string why) => _problems[queue] = $"not consuming {queue}: {why}";

    public void ConsumerUp(string queue) => _problems.TryRemove(queue, out _);
}
