namespace TaskScheduler.Contracts;

/// <summary>
/// Every broker name the system uses, derived from one prefix so that several systems (or tests) share a broker
/// without colliding. The names are meant to be read in the RabbitMQ management console.
/// </summary>
public sealed record Topology(string Prefix)
{
    public const string DefaultPrefix = "tasks";

    /// <summary>Fanout exchange that producers publish <see cref="Messages.SubmitTask"/> JSON to.</summary>
    public string SubmitExchange => $"{Prefix}.submit";

    /// <summary>Durable queue where submissions wait while the scheduler is down.</summary>
    public string SubmitQueue => $"{Prefix}.scheduler.submit";

    /// <summary>
    /// Durable queue holding every rejected submission (and refused cancel request) with an <c>x-reject-reason</c>
    /// header.
    /// </summary>
    public string RejectedQueue => $"{Prefix}.submit.rejected";

    /// <summary>Fanout exchange that producers publish <see cref="Messages.CancelTask"/> JSON to.</summary>
    public string CancelExchange => $"{Prefix}.cancel";

    /// <summary>Durable queue where cancel requests wait for the scheduler.</summary>
    public string CancelQueue => $"{Prefix}.scheduler.cancel";

    /// <summary>Topic exchange for worker events (<c>worker.{id}.*</c>) and task events (<c>task.{id}.{state}</c>).</summary>
    public string EventsExchange => $"{Prefix}.events";

    /// <summary>The scheduler's durable queue of worker events.</summary>
    public string SchedulerEventsQueue => $"{Prefix}.scheduler.events";

    /// <summary>Queue for request/response status queries from other services.</summary>
    public string StatusQueue => $"{Prefix}.scheduler.status";

    public string WorkerQueue(string workerId) => $"{Prefix}.worker.{workerId}";

    public string WorkerControlQueue(string workerId) => $"{Prefix}.worker.{workerId}.control";

    public static string WorkerEventKey(string workerId, string kind) => $"worker.{workerId}.{kind}";

    public static string TaskEventKey(Guid taskId, string stateOrKind) => $"task.{taskId:D}.{stateOrKind}";

    /// <summary>Header carrying the reason a submission was rejected.</summary>
    public const string RejectReasonHeader = "x-reject-reason";

    public static class WorkerEvents
    {
        public const string Joined = "joined";
        public const string Heartbeat = "heartbeat";

        /// <summary>Several results in one message (<see cref="Messages.TasksFinished"/>); what workers send.</summary>
        public const string Results = "results";

        public const string Left = "left";
        public const string Preempted = "preempted";

        /// <summary>A running attempt saved a checkpoint (<see cref="Messages.TaskCheckpointed"/>).</summary>
        public const string Checkpoint = "checkpoint";
    }

    /// <summary>AMQP <c>type</c> of the messages on the submit exchange.</summary>
    public static class SubmitTypes
    {
        /// <summary>One <see cref="Messages.SubmitTask"/>, or a graph (a JSON array of them); also what an untyped message is.</summary>
        public const string One = "submit-task";

        /// <summary>Many independent tasks in one <see cref="Messages.SubmitTasks"/>, each accepted or refused on its own.</summary>
        public const string Batch = "submit-batch";
    }

    /// <summary>AMQP <c>type</c> of the messages on a worker's assignment queue.</summary>
    public static class AssignmentTypes
    {
        /// <summary>One <see cref="Messages.AssignTask"/>, its trace context in the message headers.</summary>
        public const string One = "assign";

        /// <summary>Several orders in one <see cref="Messages.AssignTasks"/>; what the scheduler sends.</summary>
        public const string Batch = "assign-batch";
    }

    /// <summary>AMQP <c>type</c> of the orders on a worker's control queue.</summary>
    public static class ControlTypes
    {
        public const string Cancel = "cancel";
        public const string Preempt = "preempt";

        /// <summary>A new leader's <see cref="Messages.SchedulerLeads"/>.</summary>
        public const string Leads = "leads";
    }

    public const string RejectedKind = "rejected";
}
