namespace TaskScheduler.Scheduler.Engine;

/// <summary>A refused input message, copied with its original bytes and headers to the rejected queue.</summary>
public sealed record RejectedInput(ReadOnlyMemory<byte> Body, IDictionary<string, object?>? Headers, string Reason);
