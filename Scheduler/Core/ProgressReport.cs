using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Scheduler.Core;

/// <summary>A worker's progress report made safe to keep and show: a fraction in [0, 1] and a short message.</summary>
public static class ProgressReport
{
    public static TaskProgress Bounded(TaskProgress progress)
    {
        var fraction = double.IsFinite(progress.Fraction) ? Math.Clamp(progress.Fraction, 0, 1) : 0;
        var message = progress.Message;
        if (message is { Length: > Limits.MaxProgressMessageLength })
        {
            var cut = Limits.MaxProgressMessageLength;
            message = message[..(char.IsHighSurrogate(message[cut - 1]) ? cut - 1 : cut)];
        }

        return new TaskProgress(fraction, message, progress.At);
    }
}
