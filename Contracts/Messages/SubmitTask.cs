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
}
