using System.Globalization;
using System.Text;
using TaskScheduler.Contracts;
using TaskScheduler.Worker.Handlers;

namespace TaskScheduler.Worker.Agent;

/// <summary>
/// Maps why an attempt was stopped and how its handler ended to what the worker reports. Pure, so every
/// combination is a unit test.
/// </summary>
internal static class AttemptEnding
{
    /// <summary>An error is cut to this many characters: enough for a message and a stack trace's head.</summary>
    public const int MaxErrorLength = Limits.MaxErrorChars;

    public static AttemptEnd Decide(StopReason reason, HandlerOutcome outcome, string? lastCheckpoint, TimeSpan? timeout)
    {
        var returned = outcome.Returned;
        switch (reason)
        {
            case StopReason.Cancelled:
                return AttemptEnd.Dropped;

            case StopReason.Draining:
                // Work finished in time counts; anything else goes back to the queue, with its newest checkpoint.
                return Stopped(returned, lastCheckpoint, AttemptEnd.HandedBack);

            case StopReason.Preempted:
                // A result that beat the order counts; a failure the handler chose counts; whatever else (an
                // exception, most likely the token's own) pauses with the last saved checkpoint.
                return Stopped(returned, lastCheckpoint, AttemptEnd.Paused);

            case StopReason.TimedOut:
                return returned?.Kind == TaskResultKind.Completed
                    ? Completed(returned.Text)
                    : AttemptEnd.Failed($"timed out after {Describe(timeout ?? TimeSpan.Zero)}");

            default:
                if (outcome.Thrown is { } thrown)
                {
                    return AttemptEnd.Failed(Bound($"{thrown.GetType().FullName}: {thrown.Message}"));
                }

                return returned!.Kind switch
                {
                    TaskResultKind.Completed => Completed(returned.Text),
                    TaskResultKind.Failed => Failed(returned.Text),
                    _ => AttemptEnd.Failed("the handler paused the task without being asked to (only a preempted attempt pauses)"),
                };
        }
    }

    /// <summary>
    /// An attempt asked to stop: a result or a failure it returned counts; otherwise it ends as <paramref name="stop"/>
    /// says (handed back or paused), with the checkpoint it returned, else the last one it saved.
    /// </summary>
    private static AttemptEnd Stopped(TaskResult? returned, string? lastCheckpoint, Func<string?, AttemptEnd> stop) => returned?.Kind switch
    {
        TaskResultKind.Completed => Completed(returned.Text),
        TaskResultKind.Failed => Failed(returned.Text),
        TaskResultKind.Paused => stop(Checkpoint(returned.Text) ?? lastCheckpoint),
        _ => stop(lastCheckpoint),
    };

    /// <summary>A completed attempt, unless its result is over the limit: then a failure that says so.</summary>
    public static AttemptEnd Completed(string? result)
    {
        if (result is null)
        {
            return AttemptEnd.Completed(null);
        }

        var bytes = Encoding.UTF8.GetByteCount(result);
        return bytes <= Limits.MaxResultBytes
            ? AttemptEnd.Completed(result)
            : AttemptEnd.Failed($"the result is {bytes} bytes as UTF-8, over the limit of {Limits.MaxResultBytes}; it was not sent");
    }

    public static string Bound(string error) =>
        BoundedText.Shorten(error, MaxErrorLength);

    /// <summary>A duration as people write it: 1.5s, 2m, 1h30m.</summary>
    public static string Describe(TimeSpan duration) => duration switch
    {
        { TotalSeconds: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0}ms"),
        { TotalMinutes: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.###}s"),
        _ => System.Xml.XmlConvert.ToString(duration),
    };

    private static AttemptEnd Failed(string? error) => AttemptEnd.Failed(Bound(string.IsNullOrEmpty(error) ? "failed" : error));

    private static string? Checkpoint(string? checkpoint) =>
        checkpoint is not null && Encoding.UTF8.GetByteCount(checkpoint) <= Limits.MaxCheckpointBytes ? checkpoint : null;
}
