using System.Diagnostics.CodeAnalysis;
using TaskScheduler.Client.Events;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Listing;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Client;

/// <summary>
/// Submits work to a TaskScheduler system and hears back from it. One instance per application, shared by every
/// caller: thread-safe, one broker connection, everything asynchronous and cancellable.
/// </summary>
public interface ITaskSchedulerClient : IAsyncDisposable
{
    /// <summary>
    /// Why the <c>SubmitAsync</c> overloads may each take an optional token: their first parameters differ in type
    /// (a task, or a payload), so a parameter added to one later cannot make a call ambiguous.
    /// </summary>
    internal const string OverloadsByFirstParameter = "The overloads differ in their first parameter's type; no call can become ambiguous.";

    /// <summary>The broker names of the system this client talks to.</summary>
    Topology Topology { get; }

    /// <summary>Submits one task; returns once the broker has stored it for the scheduler (publisher confirm).</summary>
    Task SubmitAsync(SubmitTask task, CancellationToken cancellationToken = default);

    /// <summary>
    /// Submits a new task with <paramref name="payload"/> and <paramref name="priority"/> under a new id, and returns
    /// the id once the broker has stored the task (publisher confirm).
    /// </summary>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = OverloadsByFirstParameter)]
    Task<Guid> SubmitAsync(string payload, int priority = 0, CancellationToken cancellationToken = default);

    /// <summary>
    /// Submits a new task under a new id, its options set by <paramref name="configure"/> (which is given the task
    /// with its id, payload and priority 0, and returns it changed: <c>t => t with { MaxRetries = 3 }</c>; the id it
    /// returns is ignored); returns the id once the broker has stored the task.
    /// </summary>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = OverloadsByFirstParameter)]
    Task<Guid> SubmitAsync(string payload, Func<SubmitTask, SubmitTask> configure, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes a submission already in the wire format (a task object, or an array of them for a graph; see
    /// docs/producers.md), for producers that build their messages themselves. Returns once confirmed.
    /// </summary>
    Task SubmitJsonAsync(ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken = default);

    /// <summary>Submits tasks as one graph, accepted or rejected as a whole; their <c>DependsOn</c> may name each other.</summary>
    Task SubmitGraphAsync(IReadOnlyCollection<SubmitTask> graph, CancellationToken cancellationToken = default);

    /// <summary>Submits independent tasks, each as its own message, many awaiting the broker's confirm at once.</summary>
    Task SubmitManyAsync(IEnumerable<SubmitTask> tasks, CancellationToken cancellationToken = default);

    /// <summary>
    /// Submits independent tasks <paramref name="batchSize"/> to a message (a batch, <c>submit-batch</c>), many
    /// awaiting the broker's confirm at once, and returns once the broker has them all: far fewer broker messages
    /// than one per task, and no answer from the scheduler. Each task is accepted or refused on its own; a refused
    /// one is announced as for <see cref="SubmitAsync(SubmitTask, CancellationToken)"/> (its wait throws
    /// <see cref="TaskRejectedException"/>). To hear each task's outcome, use <see cref="SubmitBatchWithOutcomesAsync"/>.
    /// </summary>
    Task SubmitInBatchesAsync(IEnumerable<SubmitTask> tasks, int batchSize, CancellationToken cancellationToken = default);

    /// <summary>
    /// Submits independent tasks in one message (at most <see cref="Contracts.Limits.DefaultMaxBatchTasks"/>, unless
    /// the scheduler allows more) and returns once the scheduler has journaled them, with every task's outcome in
    /// order: accepted, duplicate, or refused with the reason. While the scheduler is down the batch waits in the
    /// broker, and so does this call: give a token that ends.
    /// </summary>
    Task<SubmitTasksReply> SubmitBatchWithOutcomesAsync(IReadOnlyCollection<SubmitTask> tasks, CancellationToken cancellationToken = default);

    /// <summary>
    /// As <see cref="SubmitBatchWithOutcomesAsync"/>, for a batch already in the wire format (<c>{"tasks":[…]}</c>;
    /// see docs/producers.md).
    /// </summary>
    Task<SubmitTasksReply> SubmitBatchJsonWithOutcomesAsync(ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken = default);

    /// <summary>Publishes a batch already in the wire format and returns once the broker has stored it (publisher confirm).</summary>
    Task PublishBatchJsonAsync(ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits until the task ends and says how. Never hangs on a missed event: it asks the scheduler when it starts
    /// (the task may have finished already) and every <see cref="TaskSchedulerClientOptions.StatusPollInterval"/>.
    /// A task the scheduler does not know yet may still be on its way, so it waits
    /// <see cref="TaskSchedulerClientOptions.UnknownTaskGrace"/> for it, then throws <see cref="TaskNotFoundException"/>;
    /// give a token that ends the wait.
    /// </summary>
    Task<TaskEnd> WaitAsync(Guid taskId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits for the task's result: returns it when the task Completed, throws <see cref="TaskFailedException"/>
    /// when it Failed or was Cancelled, and <see cref="TaskRejectedException"/> when it was rejected.
    /// </summary>
    Task<string?> GetResultAsync(Guid taskId, CancellationToken cancellationToken = default);

    /// <summary>Submits a task and waits for its end, listening before it submits so nothing can be missed.</summary>
    Task<TaskEnd> SubmitAndWaitAsync(SubmitTask task, CancellationToken cancellationToken = default);

    /// <summary>Submits a graph and yields each task's end as it happens; a rejected graph yields every task as Rejected.</summary>
    IAsyncEnumerable<TaskEnd> SubmitGraphAndWaitAsync(IReadOnlyCollection<SubmitTask> graph, CancellationToken cancellationToken = default);

    /// <summary>
    /// Yields the task's events in order from now until it ends (a final state, or the rejection of a task the
    /// scheduler does not know). A task that has already ended yields its final state alone.
    /// </summary>
    IAsyncEnumerable<TaskEvent> WatchAsync(Guid taskId, CancellationToken cancellationToken = default);

    /// <summary>Submits a task and yields its events, from its acceptance (or rejection) to its end.</summary>
    IAsyncEnumerable<TaskEvent> SubmitAndWatchAsync(SubmitTask task, CancellationToken cancellationToken = default);

    /// <summary>The task as the scheduler knows it, or null when it knows no task with this id.</summary>
    Task<TaskStatusView?> GetStatusAsync(Guid taskId, CancellationToken cancellationToken = default);

    /// <summary>Cancels a task: a pending one never runs, a running one is stopped on its worker.</summary>
    Task<CancelResult> CancelAsync(Guid taskId, string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>One page of tasks, newest first, by the filter's criteria; pass its <c>Next</c> as the filter's cursor for the next.</summary>
    Task<TaskPage> ListTasksAsync(TaskListFilter filter, CancellationToken cancellationToken = default);

    /// <summary>Sends a Failed or Cancelled task back to the queue under the same id; its dependents that failed because of it wait for it again.</summary>
    Task<TaskActionResult> RetryAsync(Guid taskId, string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>Retries every task the filter selects (its state must be Failed or Cancelled) and says how many.</summary>
    Task<RetryManyResult> RetryManyAsync(TaskListFilter filter, string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>Changes the priority of a Pending task: it takes its new place in the queue.</summary>
    Task<TaskActionResult> ChangePriorityAsync(Guid taskId, int priority, string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a finished task, with its payload, result and history.</summary>
    Task<TaskActionResult> DeleteAsync(Guid taskId, string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates the recurring task <paramref name="name"/>, or replaces the schedule of that name: each occurrence of
    /// <paramref name="cron"/> (five fields, or six with seconds first) in <paramref name="timeZone"/> submits
    /// <paramref name="task"/> (its id is ignored: each occurrence gets one derived from the schedule and its fire time,
    /// so it runs once). Occurrences missed while the scheduler was down run once (<paramref name="skipMisfires"/>
    /// false) or not at all. Returns <c>created</c>, <c>replaced</c> or <c>unchanged</c>.
    /// </summary>
    Task<string> SetScheduleAsync(string name, string cron, SubmitTask task, string timeZone = "UTC", bool skipMisfires = false, CancellationToken cancellationToken = default);

    /// <summary>Every schedule, by name, with its next and last fire times.</summary>
    Task<IReadOnlyList<ScheduleView>> GetSchedulesAsync(CancellationToken cancellationToken = default);

    /// <summary>Pauses (<paramref name="paused"/>) or resumes a schedule; false when there is none of that name.</summary>
    Task<bool> PauseScheduleAsync(string name, bool paused = true, CancellationToken cancellationToken = default);

    /// <summary>Removes a schedule (the tasks it submitted stay); false when there is none of that name.</summary>
    Task<bool> RemoveScheduleAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Hands every task's events of the given kinds (all tasks, not only this client's) to <paramref name="onEvent"/>,
    /// in order, on the client's consumer thread: keep it short. Dispose the result to stop.
    /// </summary>
    Task<IAsyncDisposable> SubscribeAsync(IReadOnlyCollection<TaskEventKind> kinds, Action<TaskEvent> onEvent, CancellationToken cancellationToken = default);
}
