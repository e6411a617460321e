using System.Threading.Channels;
using TaskScheduler.Scheduler.Engine;

namespace TaskScheduler.Scheduler.Http;

/// <summary>
/// Hands an HTTP request's input to the scheduler loop and waits for the loop's answer, which comes once the input's
/// group is durable. The loop may be stalled (a slow disk, a blocked broker): after <see cref="Timeout"/> the caller
/// is told to ask again.
/// </summary>
internal static class LoopReply
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>The loop's answer, or <c>Answered: false</c> when it did not come in time.</summary>
    public static async Task<(bool Answered, T Value)> AskAsync<T>(
        ChannelWriter<SchedulerInput> inputs, Func<TaskCompletionSource<T>, SchedulerInput> input, CancellationToken ct)
    {
        var reply = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        await inputs.WriteAsync(input(reply), ct);
        try
        {
            return (true, await reply.Task.WaitAsync(Timeout, ct));
        }
        catch (TimeoutException)
        {
            return (false, default!);
        }
    }
}
