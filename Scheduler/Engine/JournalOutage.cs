using LiteDB;
using Microsoft.Extensions.Logging;
using TaskScheduler.Scheduler.Observability;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>
/// Rides out a journal that cannot write (a full disk, an I/O error) instead of stopping the scheduler. The loop's
/// write of a turn is retried, the same turn, until the disk takes it: the core's state is ahead of the journal
/// by exactly that turn, so once it is written they agree again, and only then is the turn delivered (its
/// assignments sent, its messages acknowledged). Meanwhile the scheduler stops consuming submissions and cancel
/// requests (those already delivered stay unacknowledged, the rest wait in the broker), HTTP refuses changes with
/// 503, <c>/health/ready</c> and a metric say why, and the loop reads no input, so liveness excuses the pause
/// (<c>SchedulerCore.Attend</c>) and no worker is declared dead for it.
/// </summary>
public sealed class JournalOutage(
    IJournal journal, JournalStatus status, PublishedView state, IInputSource inputs, TimeProvider time, ILogger<JournalOutage> logger)
{
    /// <summary>The first retry comes after this; each next one waits twice as long, up to <see cref="MaxRetryInterval"/>.</summary>
    public static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(500);

    public static readonly TimeSpan MaxRetryInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Runs <paramref name="write"/> (synchronous: a LiteDB transaction belongs to its thread) and, if the storage
    /// refuses it, runs it again on a reopened journal until it succeeds. Other failures propagate. Returns true when
    /// it had to wait: what the turn decided goes out only now (<c>SchedulerCore.AssignmentsHeldUntil</c>).
    /// </summary>
    public async Task<bool> WriteAsync(Action write, CancellationToken ct)
    {
        try
        {
            write();
            return false;
        }
        catch (Exception e) when (IsStorageFailure(e))
        {
            status.Failing(Describe(e), time.GetUtcNow());
            logger.LogError("The journal cannot write: {Reason}. Accepting nothing until it can; retrying", Describe(e));
            await SwitchAcceptingAsync(accept: false, ct);
        }

        var delay = FirstRetry;
        var tries = 1;
        while (true)
        {
            await Task.Delay(delay, time, ct);
            // Waiting on purpose: /health/live must not take this for a stuck loop (a restart would not help).
            state.Turned(time.GetUtcNow());
            tries++;
            try
            {
                journal.Reopen();
                write();
                break;
            }
            catch (Exception e) when (IsStorageFailure(e) || e is LiteException)
            {
                status.Failing(Describe(e), time.GetUtcNow());
                logger.LogDebug("The journal still cannot write (try {Tries}): {Reason}", tries, Describe(e));
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryInterval.Ticks));
            }
        }

        status.Writable();
        logger.LogWarning("The journal writes again after {Tries} tries; accepting again", tries);
        await SwitchAcceptingAsync(accept: true, ct);
        return true;
    }

    /// <summary>A failure of the storage under the journal (ENOSPC, EIO...), as LiteDB reports it.</summary>
    public static bool IsStorageFailure(Exception e) =>
        e is IOException || e.InnerException is IOException || (e is AggregateException a && a.InnerExceptions.Any(IsStorageFailure));

    /// <summary>
    /// Stops or resumes consuming submissions and cancel requests. Best effort: with the broker unreachable the
    /// consumers are gone anyway, and while the loop waits the prefetch bounds what it may be handed.
    /// </summary>
    private async Task SwitchAcceptingAsync(bool accept, CancellationToken ct)
    {
        try
        {
            await (accept ? inputs.ResumeAcceptingAsync(ct) : inputs.PauseAcceptingAsync(ct));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Could not {Action} consuming submissions: {Error}", accept ? "resume" : "pause", e.Message);
        }
    }

    private static string Describe(Exception e) => (e as IOException ?? e.InnerException as IOException ?? e).Message;
}
