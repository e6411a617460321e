namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>A message taken from the rejected-submissions queue: the original bytes and the reason given.</summary>
public sealed record RejectedMessage(byte[] Body, string Reason);
