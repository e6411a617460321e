using System.Globalization;
using TaskScheduler.Contracts;

namespace TaskScheduler.Scheduler.Journal;

/// <summary>
/// The indexed keys the task list reads, written into every task document: each is a filter's value followed by the
/// acceptance sequence, so one index range answers "tasks with this value, newest first" and the sequence makes every
/// key unique. A worker id holds no '/', so a worker's range never takes in another's.
/// </summary>
public static class ListKeys
{
    public const string StateField = "sk";
    public const string PriorityField = "pk";
    public const string WorkerField = "wk";
    public const string SequenceField = "sequence";

    public static string State(TaskState state, long sequence) => $"{StatePrefix(state)}{Sequence(sequence)}";

    public static string StatePrefix(TaskState state) => $"{state}/";

    public static string Priority(int priority, long sequence) => $"{PriorityPrefix(priority)}{Sequence(sequence)}";

    /// <summary>Priorities shifted to 0..2^32-1 and zero-padded, so text order is number order.</summary>
    public static string PriorityPrefix(int priority) =>
        string.Create(CultureInfo.InvariantCulture, $"{(long)priority - int.MinValue:D10}/");

    /// <summary>
    /// The queue index: on Pending tasks only (null on others), the dispatch order as text, highest priority first
    /// (the priority subtracted from int.MaxValue, 0 to 2^32-1), then oldest acceptance. An expression, not a field:
    /// LiteDB computes it from fields every document has, so no document carries it.
    /// </summary>
    public const string QueueIndex = "qk";

    public const string QueueKeyExpression =
        "IIF($.state = 'Pending', FORMAT(INT64(2147483647) - $.priority, 'D10') + '/' + FORMAT($.sequence, 'D19'), null)";

    /// <summary>The queue index's key of a Pending task, as <see cref="QueueKeyExpression"/> computes it.</summary>
    public static string Queue(int priority, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{int.MaxValue - (long)priority:D10}/{sequence:D19}");

    public static string Worker(string worker, long sequence) => $"{WorkerPrefix(worker)}{Sequence(sequence)}";

    public static string WorkerPrefix(string worker) => $"{worker}/";

    public static string Sequence(long sequence) => sequence.ToString("D19", CultureInfo.InvariantCulture);

    public static string Ticks(DateTimeOffset at) => at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);
}
