using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using RabbitMQ.Client;

namespace TaskScheduler.Scheduler.Transport;

/// <summary>Serialisation and properties shared by everything the scheduler publishes.</summary>
internal static class AmqpMessages
{
    public static BasicProperties Persistent(string type) => new()
    {
        ContentType = "application/json",
        DeliveryMode = DeliveryModes.Persistent,
        Type = type,
        Timestamp = new AmqpTimestamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
    };

    public static byte[] Serialize<T>(T message, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(message, type);
}
