namespace TaskScheduler.Broker;

/// <summary>
/// The kinds of RabbitMQ queue the system can declare its durable queues as (<c>Broker:QueueType</c>). Classic
/// queues live on one node: right for a single broker. Quorum queues are replicated over the cluster's nodes by
/// Raft and survive the loss of a minority of them: right for a cluster of three or more.
/// </summary>
public static class QueueTypes
{
    public const string Classic = "classic";
    public const string Quorum = "quorum";

    /// <summary>The declaration argument that makes a queue of that type.</summary>
    public const string Argument = "x-queue-type";

    public static bool IsKnown(string? type) => type is Classic or Quorum;
}
