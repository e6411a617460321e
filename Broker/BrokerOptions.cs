using TaskScheduler.Contracts;


namespace TaskScheduler.Broker;

/// <summary>The <c>Broker</c> configuration section, shared by every program.</summary>
public sealed class BrokerOptions
{
    public const string Section = "Broker";

    public const string DefaultUrl = "amqp://guest:guest@127.0.0.1:5672/";

    /// <summary>
    /// AMQP URI of the broker; for a cluster, several URIs separated by commas that differ only in host and port.
    /// </summary>
    public string Url { get; set; } = DefaultUrl;

    /// <summary>
    /// The cluster's nodes as host[:port] entries separated by commas. When set, they replace the host of
    /// <see cref="Url"/>, which then gives only credentials, virtual host and scheme.
    /// </summary>
    public string? Hosts { get; set; }

    /// <summary>First word of every exchange and queue name, so several systems can share one broker.</summary>
    public string Prefix { get; set; } = Topology.DefaultPrefix;

    /// <summary>
    /// How the durable queues are declared: <c>classic</c> on a single broker, <c>quorum</c> on a cluster (replicated,
    /// they survive the loss of a node). Every program of one system must use the same type.
    /// </summary>
    public string QueueType { get; set; } = QueueTypes.Classic;

    public Topology Topology => new(Prefix);

    /// <summary>The parsed <see cref="Url"/> and <see cref="Hosts"/>; valid once <see cref="Validate"/> found nothing.</summary>
    public BrokerAddress Address => BrokerAddress.Parse(Url, Hosts);

    public bool UsesQuorumQueues => string.Equals(QueueType, QueueTypes.Quorum, StringComparison.OrdinalIgnoreCase);

    /// <summary>Arguments for declaring a durable queue of the configured type.</summary>
    public IDictionary<string, object?>? QueueArguments() =>
        // Classic queues are declared without arguments, as before the setting existed, so that queues declared
        // then stay equivalent (RabbitMQ refuses a redeclaration whose arguments differ).
        UsesQuorumQueues ? new Dictionary<string, object?> { [QueueTypes.Argument] = QueueTypes.Quorum } : null;

    /// <summary>Returns the problems with these settings, each naming its key; empty when they are usable.</summary>
    public IEnumerable<string> Validate()
    {
        if (!BrokerAddress.TryParse(Url ?? "", Hosts, out _, out var problem))
        {
            yield return problem!;
        }

        if (string.IsNullOrWhiteSpace(Prefix) || !Prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            yield return $"{Section}:Prefix must be letters, digits, '-', '_' or '.', not '{Prefix}'";
        }

        if (!QueueTypes.IsKnown(QueueType?.ToLowerInvariant()))
        {
            yield return $"{Section}:QueueType must be '{QueueTypes.Classic}' or '{QueueTypes.Quorum}', not '{QueueType}'";
        }
    }
}
