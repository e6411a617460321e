using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>
/// One turn of the loop: the inputs it took, what the core decided on them, and what delivery must do once the
/// turn is durable (reply, send, store refusals, acknowledge).
/// </summary>
internal sealed class Turn
{
    /// <summary>What the core decided for this turn, operation by operation.</summary>
    public CoreEffects Effects { get; } = new();

    public Dictionary<Guid, string> Payloads { get; } = [];

    public List<RejectedInput> Rejected { get; } = [];

    public List<TaskRejected> RejectionEvents { get; } = [];

    public List<(TaskCompletionSource<SubmitVerdict> Reply, SubmitVerdict Verdict)> HttpReplies { get; } = [];

    public List<(TaskCompletionSource<SubmitTasksReply> Reply, SubmitTasksReply Answer)> BatchReplies { get; } = [];

    public List<(TaskCompletionSource<CancelOutcome> Reply, CancelOutcome Outcome)> CancelReplies { get; } = [];

    public List<(TaskCompletionSource<IReadOnlyList<TaskActionVerdict>> Reply, IReadOnlyList<TaskActionVerdict> Verdicts)> ActionReplies { get; } = [];

    public List<(TaskCompletionSource<string?> Reply, string? Outcome)> ScheduleReplies { get; } = [];

    public ulong SubmitTag { get; set; }

    public ulong EventsTag { get; set; }

    public ulong CancelTag { get; set; }

    /// <summary>When the loop handed the turn to delivery (a Stopwatch timestamp).</summary>
    public long HandedOverAt { get; set; }

    /// <summary>True once the turn's changes are in the journal: delivery must make them durable first.</summary>
    public bool Written { get; set; }

    /// <summary>
    /// The turn's assignments, each with its payload, read once the turn is written. Its events, cancel and preempt
    /// orders and departed workers are read from <see cref="Effects"/> itself: nothing changes a turn's effects once it
    /// is handed to delivery.
    /// </summary>
    public List<(Assignment, string)> Assignments { get; set; } = [];

    /// <summary>
    /// When each slot this turn refills was freed: the earliest result or pause read from a worker that the turn
    /// assigns new work (Stopwatch timestamps); filled only while the stage metrics are listened to.
    /// </summary>
    public List<long> SlotsRefilledSince { get; set; } = [];
}
