using System.Threading.Channels;
using TaskScheduler.Client.Events;

namespace TaskScheduler.Client.Broker;

/// <summary>One follower's view of a task's events, from the moment its binding was in place.</summary>
internal sealed class TaskFollow : IAsyncDisposable
{
    private readonly Func<ValueTask> _leave;
    private int _left;

    public TaskFollow(ChannelReader<TaskEvent> events, Func<ValueTask> leave)
    {
        Events = events;
        _leave = leave;
    }

    public ChannelReader<TaskEvent> Events { get; }

    public ValueTask DisposeAsync() => Interlocked.Exchange(ref _left, 1) == 0 ? _leave() : ValueTask.CompletedTask;
}
