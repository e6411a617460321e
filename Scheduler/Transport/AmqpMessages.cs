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

    /// <summary>
    /// Kept in the broker's memory only: a broker crash loses it. For what the journal already holds and
    /// reconciliation recovers (assignments), the broker need not write and fsync it before confirming.
    /// </summary>
    public static BasicProperties Transient(string type)
    {
        var properties = Persistent(type);
        properties.DeliveryMode = DeliveryModes.Transient;
        return properties;
    }

    public static byte[] Serialize<T>(T message, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(message, type);
}
