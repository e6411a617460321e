namespace TaskScheduler.Contracts;

public static class Limits
{
    /// <summary>A payload is at most 1 MiB once encoded as UTF-8.</summary>
    public const int MaxPayloadBytes = 1024 * 1024;

    /// <summary>
    /// The largest submission message or request body: a maximal payload fully escaped as \uXXXX, plus room for the
    /// rest. A batch of many tasks counts as a whole, so its payloads should be small.
    /// </summary>
    public const int MaxSubmissionBytes = (MaxPayloadBytes * 6) + 64 * 1024;

    /// <summary>The most tasks one batch submission holds unless the scheduler is configured otherwise (<c>Scheduler:MaxBatchTasks</c>).</summary>
    public const int DefaultMaxBatchTasks = 1000;

    /// <summary>A task's result is at most 1 MiB once encoded as UTF-8, like a payload.</summary>
    public const int MaxResultBytes = 1024 * 1024;

    /// <summary>A checkpoint is at most 1 MiB once encoded as UTF-8.</summary>
    public const int MaxCheckpointBytes = 1024 * 1024;

    /// <summary>A final task event carries the result itself up to this size; a larger one is fetched on demand.</summary>
    public const int MaxEventResultBytes = 64 * 1024;

    /// <summary>A progress report's message is cut to this many characters.</summary>
    public const int MaxProgressMessageLength = 200;

    /// <summary>No worker runs more than this many tasks at once.</summary>
    public const int MaxWorkerCapacity = 10;

    /// <summary>Worker ids become queue names, so they are short and plain.</summary>
    public const int MaxWorkerIdLength = 64;

    /// <summary>
    /// A task's error text is kept to 16 KiB (its start, and a note of the original size): enough for a stack trace,
    /// and a task's journal document stays far below LiteDB's limit whatever a worker reports.
    /// </summary>
    public const int MaxErrorChars = 16 * 1024;

    /// <summary>A reason (a rejection, a note, a history detail) is kept to 1 KiB: it ends up in headers and events.</summary>
    public const int MaxReasonChars = 1024;

    /// <summary>A reply names at most this many task ids, and says how many more there are.</summary>
    public const int MaxNamedIds = 3;

    /// <summary>
    /// A task keeps the first <see cref="HistoryHead"/> steps of its history and the latest
    /// <see cref="HistoryTail"/>; the steps between are dropped and counted.
    /// </summary>
    public const int HistoryHead = 10;

    /// <summary>The latest steps of a task's history that are always kept.</summary>
    public const int HistoryTail = 90;

    /// <summary>
    /// Headers copied from a refused message into its rejected copy, at most (AMQP-encoded): the header frame must
    /// stay far below the broker's frame limit (128 KiB), whatever the producer sent.
    /// </summary>
    public const int MaxCopiedHeaderBytes = 16 * 1024;

    /// <summary>
    /// A heartbeat lists at most this many attempts (a worker runs at most <see cref="MaxWorkerCapacity"/>, plus those
    /// whose results await the broker's confirm): each unknown one would draw a cancel order.
    /// </summary>
    public const int MaxHeartbeatAttempts = 1000;

    /// <summary>The longest duration a worker may report (remaining time, progress); longer ones are taken as this.</summary>
    public static readonly TimeSpan MaxReportedDuration = TimeSpan.FromDays(365);

    /// <summary>The longest queue expiry or message TTL given to the broker: it takes milliseconds as a 32-bit integer.</summary>
    public static readonly TimeSpan MaxBrokerDuration = TimeSpan.FromDays(24);

    public static bool IsValidWorkerId(string? id) =>
        !string.IsNullOrEmpty(id)
        && id.Length <= MaxWorkerIdLength
        && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
