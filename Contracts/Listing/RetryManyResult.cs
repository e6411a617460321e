namespace TaskScheduler.Contracts.Listing;

/// <summary>
/// What a bulk retry did: <see cref="Matched"/> tasks fitted the filter, <see cref="Retried"/> of them went back to
/// the queue (the others had changed meanwhile, or waited on a dependency that still failed). <see cref="Next"/> is
/// set when more tasks may match than one request retries: send the same filter with it as the cursor.
/// </summary>
public sealed record RetryManyResult(int Matched, int Retried, IReadOnlyList<Guid> Ids, string? Next);
