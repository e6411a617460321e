using System.Text.Json.Serialization;

namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// A new task, published as JSON to the submit exchange:
/// <c>{"id":"5f0c…","payload":"resize image 42","priority":5}</c>.
/// The id is a UUIDv4 chosen by the producer; priority defaults to 0, higher runs first. A JSON array of these is
/// one graph, accepted or rejected as a whole.
/// </summary>
public sealed record SubmitTask(Guid Id, string Payload, int Priority)
{
    /// <summary>Tasks that must complete before this one may start: already submitted, or in the same graph.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<Guid>? DependsOn { get; init; }

    /// <summary>How many times a Failed outcome is retried, with exponential backoff; 0 (the default) never.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int MaxRetries { get; init; }

    /// <summary>
    /// How long one attempt may run (on the wire an ISO 8601 duration such as <c>PT5M</c>, or <c>hh:mm:ss</c>); at
    /// the timeout the attempt fails and retries apply. Null leaves it to the worker's default.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// When the task may start at the earliest, in UTC (ISO 8601 with a <c>Z</c> or an offset). It is accepted and
    /// journaled at once and waits until then. Give this or <see cref="Delay"/>, not both.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? RunAt { get; init; }

    /// <summary>How long after its acceptance the task may start (a duration as for <see cref="Timeout"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TimeSpan? Delay { get; init; }

    /// <summary>Worker tags the task needs (<c>["gpu"]</c>): it runs only on a worker that advertises all of them.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Requires { get; init; }

    /// <summary>
    /// The tenant (team, customer) the task belongs to: within one priority, free slots go to groups in proportion
    /// to their weights. Null is the default group.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Group { get; init; }
}
