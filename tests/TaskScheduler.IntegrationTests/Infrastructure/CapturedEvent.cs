namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>One event a worker published, as the broker delivered it: its kind (from the routing key) and properties.</summary>
public sealed record CapturedEvent(string Kind, string? Type, int DeliveryMode, string? Expiration, string? ContentType, byte[] Body);
