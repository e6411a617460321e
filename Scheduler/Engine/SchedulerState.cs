using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>The latest <see cref="SchedulerView"/> published by the loop, for readers on other threads.</summary>
public sealed class SchedulerState
{
    private volatile SchedulerView _view = SchedulerView.Empty;
    private volatile AutoscaleView? _autoscale;
    private long _groups;
    private long _commitTicks;
    private long _inputs;

    /// <summary>True once the journal is loaded and the broker topology is declared.</summary>
    public bool Ready { get; set; }

    public SchedulerView View => _view;

    public void Publish(SchedulerView view) => _view = view;

    /// <summary>The latest desired-worker figure; null until the loop has run once.</summary>
    public AutoscaleView? Autoscale
    {
        get => _autoscale;
        set => _autoscale = value;
    }

    /// <summary>Groups committed to the journal since start.</summary>
    public long GroupsCommitted => Interlocked.Read(ref _groups);

    /// <summary>Mean time of a group commit, fsync included, in milliseconds.</summary>
    public double MeanCommitMilliseconds => GroupsCommitted == 0 ? 0 : Interlocked.Read(ref _commitTicks) / (double)TimeSpan.TicksPerMillisecond / GroupsCommitted;

    /// <summary>Mean number of inputs handled per group.</summary>
    public double MeanGroupSize => GroupsCommitted == 0 ? 0 : Interlocked.Read(ref _inputs) / (double)GroupsCommitted;

    public void RecordCommit(TimeSpan duration, int inputs)
    {
        Interlocked.Increment(ref _groups);
        Interlocked.Add(ref _commitTicks, duration.Ticks);
        Interlocked.Add(ref _inputs, inputs);
    }
}
