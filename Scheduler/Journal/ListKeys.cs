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

    public static string Worker(string worker, long sequence) => $"{WorkerPrefix(worker)}{Sequence(sequence)}";

    public static string WorkerPrefix(string worker) => $"{worker}/";

    public static string Sequence(long sequence) => sequence.ToString("D19", CultureInfo.InvariantCulture);

    public static string Ticks(DateTimeOffset at) => at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);
}
