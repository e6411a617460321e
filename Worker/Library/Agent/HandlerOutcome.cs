using TaskScheduler.Worker.Handlers;

namespace TaskScheduler.Worker.Agent;

/// <summary>How a handler's run ended: it returned, it threw, or it was still running when its grace ran out.</summary>
internal sealed record HandlerOutcome(TaskResult? Returned, Exception? Thrown)
{
    public static HandlerOutcome Abandoned { get; } = new(null, null);

    public bool WasAbandoned => Returned is null && Thrown is null;

    public static HandlerOutcome Of(TaskResult result) => new(result, null);

    public static HandlerOutcome Of(Exception exception) => new(null, exception);
}
