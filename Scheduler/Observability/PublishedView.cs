using TaskScheduler.Contracts.Messages;
using TaskScheduler.Dashboard;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.Scheduler.Observability;

/// <summary>The latest <see cref="SchedulerView"/> published by the loop, for readers on other threads.</summary>
public sealed class PublishedView
{
    private volatile SchedulerView _view = SchedulerView.Empty;
    private volatile AutoscaleView? _autoscale;
    private volatile IReadOnlyList<ScheduleView> _schedules = [];
    private long _turns;
    private long _commitTicks;
    private long _inputs;
    private long _flushes;
    private long _flushTicks;
    private long _lastTurnTicks;

    /// <summary>True once the journal is loaded and the broker topology is declared.</summary>
    public bool Ready { get; set; }

    public SchedulerView View => _view;

    /// <summary>When the loop last went round (it does at least twice per heartbeat interval while it is well).</summary>
    public DateTimeOffset LastTurn => new(Interlocked.Read(ref _lastTurnTicks), TimeSpan.Zero);

    public void Turned(DateTimeOffset now) => Interlocked.Exchange(ref _lastTurnTicks, now.UtcTicks);

    /// <summary>Why the loop died, or null while it runs: the process then exits non-zero, saying this.</summary>
    public string? Failure { get; private set; }

    public void Fail(Exception e)
    {
        // Delivery hands its failure to the loop by closing the channel between them: the cause is inside.
        var cause = e is System.Threading.Channels.ChannelClosedException { InnerException: { } inner } ? inner : e;
        Failure ??= $"{cause.GetType().Name}: {cause.Message}".ReplaceLineEndings(" ");
    }

    public void Publish(SchedulerView view) => _view = view;

    /// <summary>The schedules as the loop last published them, by name.</summary>
    public IReadOnlyList<ScheduleView> Schedules { get => _schedules; set => _schedules = value; }

    /// <summary>The latest progress the running task's handler reported, or null.</summary>
    public TaskProgress? Progress(Guid taskId) => _view.Progress.GetValueOrDefault(taskId)?.Progress;

    /// <summary>The latest desired-worker figure; null until the loop has run once.</summary>
    public AutoscaleView? Autoscale
    {
        get => _autoscale;
        set => _autoscale = value;
    }

    /// <summary>Turns committed to the journal since start.</summary>
    public long TurnsCommitted => Interlocked.Read(ref _turns);

    /// <summary>Mean time of a turn's journal transaction (without the fsync), in milliseconds.</summary>
    public double MeanCommitMilliseconds => TurnsCommitted == 0 ? 0 : Interlocked.Read(ref _commitTicks) / (double)TimeSpan.TicksPerMillisecond / TurnsCommitted;

    /// <summary>Mean number of inputs handled per turn.</summary>
    public double MeanTurnInputs => TurnsCommitted == 0 ? 0 : Interlocked.Read(ref _inputs) / (double)TurnsCommitted;

    /// <summary>fsyncs since start; one covers every turn written while the previous one ran.</summary>
    public long Flushes => Interlocked.Read(ref _flushes);

    /// <summary>Mean time of an fsync of the journal files, in milliseconds.</summary>
    public double MeanFlushMilliseconds => Flushes == 0 ? 0 : Interlocked.Read(ref _flushTicks) / (double)TimeSpan.TicksPerMillisecond / Flushes;

    public void RecordFlush(TimeSpan duration)
    {
        Interlocked.Increment(ref _flushes);
        Interlocked.Add(ref _flushTicks, duration.Ticks);
    }

    public void RecordCommit(TimeSpan duration, int inputs)
    {
        Interlocked.Increment(ref _turns);
        Interlocked.Add(ref _commitTicks, duration.Ticks);
        Interlocked.Add(ref _inputs, inputs);
    }
}
