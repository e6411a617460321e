namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// A new task, published as JSON to the submit exchange:
/// <c>{"id":"5f0c…","payload":"resize image 42","priority":5}</c>.
/// The id is a UUIDv4 chosen by the producer; priority defaults to 0, higher runs first.
/// </summary>
public sealed record SubmitTask(Guid Id, string Payload, int Priority);
