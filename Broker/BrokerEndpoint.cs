namespace TaskScheduler.Broker;

/// <summary>One RabbitMQ node to try: host and AMQP port.</summary>
public sealed record BrokerEndpoint(string Host, int Port)
{
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
