using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Scheduler.Core.Liveness;

/// <summary>
/// Brings the values a worker reports into range before the core uses them: a worker may send anything (a bug, a
/// forgery), and an error text or a time out of range must neither fill the journal nor overflow on the loop.
/// </summary>
public static class WorkerReports
{
    /// <summary>How far ahead of the scheduler's clock a worker's clock may be; a time beyond is taken as the limit.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromDays(1);

    /// <summary>A time the worker put on a message, no later than the scheduler's clock allows.</summary>
    public static DateTimeOffset ReportedAt(DateTimeOffset at, DateTimeOffset now)
    {
        var latest = TimeMath.Plus(now, MaxClockSkew);
        return at > latest ? latest : at;
    }

    /// <summary>A reported duration (such as the time remaining) between zero and <see cref="Limits.MaxReportedDuration"/>.</summary>
    public static TimeSpan Duration(TimeSpan reported) => TimeMath.Clamp(reported, Limits.MaxReportedDuration);

    /// <summary>
    /// A result with its end no later than the worker's clock may be and no older than a year, and its start between a
    /// year before its end and its end. Its error text was cut where it entered (Transport/WorkerEventReader).
    /// </summary>
    public static TaskFinished Bound(TaskFinished result, DateTimeOffset now)
    {
        var finished = result.FinishedAt > TimeMath.Plus(now, MaxClockSkew) || result.FinishedAt < TimeMath.Plus(now, -Limits.MaxReportedDuration)
            ? now
            : result.FinishedAt;
        var earliest = TimeMath.Plus(finished, -Limits.MaxReportedDuration);
        var started = result.StartedAt > finished ? finished : result.StartedAt < earliest ? earliest : result.StartedAt;
        return started == result.StartedAt && finished == result.FinishedAt
            ? result
            : result with { StartedAt = started, FinishedAt = finished };
    }

    /// <summary>A progress report with its fraction in [0, 1] (0 when not a number) and its message cut to a short line.</summary>
    public static TaskProgress Progress(TaskProgress progress)
    {
        var fraction = double.IsFinite(progress.Fraction) ? Math.Clamp(progress.Fraction, 0, 1) : 0;
        var message = progress.Message is { Length: > Limits.MaxProgressMessageLength } text
            ? BoundedText.Start(text, Limits.MaxProgressMessageLength).ToString()
            : progress.Message;
        return new TaskProgress(fraction, message, progress.At);
    }

    /// <summary>The run time a result claims, within zero and <see cref="Limits.MaxReportedDuration"/>.</summary>
    public static TimeSpan RunTime(TaskFinished result) => Duration(result.FinishedAt - result.StartedAt);
}
