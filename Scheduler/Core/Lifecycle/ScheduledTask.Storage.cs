using System.Buffers;
using System.Globalization;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Scheduler.Core.Lifecycle;

/// <summary>
/// How a task is stored. A backlog of a million tasks that have only been accepted is held at once
/// (docs/benchmarks.md, target 5), so what such a task carries is kept to its id, its place in the queue, its content
/// hash as a number, its acceptance time, its size and two bytes of state: about 96 bytes. What a task needs once it
/// has been assigned lives in <see cref="Details"/>, what only some tasks are submitted with in <see cref="Extras"/>;
/// both stay null until a value other than the default is set.
/// </summary>
public sealed partial class ScheduledTask
{
    private static readonly SearchValues<char> UpperHex = SearchValues.Create("0123456789ABCDEF");

    private Details? _details;
    private Extras? _extras;

    // The content hash is 32 upper-case hex digits: kept as a number, the text is made only when asked for.
    private ulong _hashHigh;
    private ulong _hashLow;

    // Acceptance time as UTC ticks (the core's clock is UTC; any other offset is kept in the extras).
    private long _submittedTicks;

    private byte _state;
    private byte _wait;

    public DateTimeOffset SubmittedAt
    {
        get => _extras?.SubmittedAt ?? new DateTimeOffset(_submittedTicks, TimeSpan.Zero);
        private init
        {
            _submittedTicks = value.UtcTicks;
            if (value.Offset != TimeSpan.Zero)
            {
                Extras.Of(ref _extras).SubmittedAt = value;
            }
        }
    }

    public string ContentHash
    {
        get => _extras?.HashText ?? new UInt128(_hashHigh, _hashLow).ToString("X32", CultureInfo.InvariantCulture);
        private init
        {
            // Upper-case hex only, so that the number prints back as the same text; checked without formatting it
            // (restore makes a million of these). Anything else (a journal from an older version) is kept as it came.
            if (value.Length == 32 && !value.AsSpan().ContainsAnyExcept(UpperHex)
                && UInt128.TryParse(value, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hash))
            {
                _hashHigh = (ulong)(hash >> 64);
                _hashLow = (ulong)hash;
            }
            else
            {
                Extras.Of(ref _extras).HashText = value;
            }
        }
    }

    public IReadOnlyList<Guid> DependsOn
    {
        get => _extras?.DependsOn ?? [];
        private init
        {
            if (value.Count > 0)
            {
                Extras.Of(ref _extras).DependsOn = value;
            }
        }
    }

    public int MaxRetries { get => _extras?.MaxRetries ?? 0; private init => SetExtra(value, static (x, v) => x.MaxRetries = v); }

    /// <summary>Sets a detail, making room for details only when a value other than the default is set.</summary>
    private void Set<T>(T value, Action<Details, T> set)
    {
        if (_details is null && EqualityComparer<T>.Default.Equals(value, default))
        {
            return;
        }

        set(Details.Of(ref _details), value);
    }

    /// <summary>Sets an extra, making room for extras only when a value other than the default is set.</summary>
    private void SetExtra<T>(T value, Action<Extras, T> set)
    {
        if (_extras is null && EqualityComparer<T>.Default.Equals(value, default))
        {
            return;
        }

        set(Extras.Of(ref _extras), value);
    }

    /// <summary>What a task needs once it has been assigned, preempted, failed or given a history.</summary>
    private sealed class Details
    {
        public int Attempt { get; set; }

        public string? WorkerId { get; set; }

        public List<TaskHistoryEntry>? History { get; set; }

        public DateTimeOffset? AssignedAt { get; set; }

        public DateTimeOffset? StartedAt { get; set; }

        public DateTimeOffset? FinishedAt { get; set; }

        public string? Error { get; set; }

        public string? Note { get; set; }

        public int Retries { get; set; }

        public DateTimeOffset? RetryAt { get; set; }

        public string? Checkpoint { get; set; }

        public string? Result { get; set; }

        public TaskProgress? LiveProgress { get; set; }

        public int Preemptions { get; set; }

        public int WorkerDeaths { get; set; }

        public DateTimeOffset? PreemptRequestedAt { get; set; }

        public (TimeSpan Remaining, DateTimeOffset At)? Estimate { get; set; }

        public string? PreemptReason { get; set; }

        public static Details Of(ref Details? details) => details ??= new Details();
    }

    /// <summary>What only some tasks are submitted with: a timeout, placement, dependencies, retries.</summary>
    private sealed class Extras
    {
        public TimeSpan? Timeout { get; set; }

        public TaskPlacement? Placement { get; set; }

        public IReadOnlyList<Guid>? DependsOn { get; set; }

        public int MaxRetries { get; set; }

        public int UnfinishedDependencies { get; set; }

        /// <summary>A content hash that is not 32 upper-case hex digits, as it came.</summary>
        public string? HashText { get; set; }

        /// <summary>An acceptance time with an offset other than UTC's, as it came.</summary>
        public DateTimeOffset? SubmittedAt { get; set; }

        public static Extras Of(ref Extras? extras) => extras ??= new Extras();
    }
}
