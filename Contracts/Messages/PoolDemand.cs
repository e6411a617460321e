namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// How many workers one pool wants (<c>GET /api/autoscale</c>, <c>pools</c>): start them with
/// <c>Worker:Tags</c> set to <see cref="Tags"/>, so each pool scales on its own.
/// </summary>
public sealed record PoolDemand(string Pool, IReadOnlyList<string> Tags, int DesiredWorkers, int CurrentWorkers, int Pending, int Running);
