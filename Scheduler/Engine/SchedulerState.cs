using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>The latest <see cref="SchedulerView"/> published by the loop, for readers on other threads.</summary>
public sealed class SchedulerState
{
    private volatile SchedulerView _view = SchedulerView.Empty;

    /// <summary>True once the journal is loaded and the broker topology is declared.</summary>
    public bool Ready { get; set; }

    public SchedulerView View => _view;

    public void Publish(SchedulerView view) => _view = view;
}
