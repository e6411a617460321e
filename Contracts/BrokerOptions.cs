namespace TaskScheduler.Contracts;

/// <summary>The <c>Broker</c> configuration section, shared by every program.</summary>
public sealed class BrokerOptions
{
    public const string Section = "Broker";

    public const string DefaultUrl = "amqp://guest:guest@127.0.0.1:5672/";

    /// <summary>AMQP URI of the broker.</summary>
    public string Url { get; set; } = DefaultUrl;

    /// <summary>First word of every exchange and queue name, so several systems can share one broker.</summary>
    public string Prefix { get; set; } = Topology.DefaultPrefix;

    public Topology Topology => new(Prefix);

    /// <summary>Returns the problems with these settings, each naming its key; empty when they are usable.</summary>
    public IEnumerable<string> Validate()
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps"))
        {
            yield return $"{Section}:Url must be an amqp:// or amqps:// URI, not '{Url}'";
        }

        if (string.IsNullOrWhiteSpace(Prefix) || !Prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            yield return $"{Section}:Prefix must be letters, digits, '-', '_' or '.', not '{Prefix}'";
        }
    }
}
