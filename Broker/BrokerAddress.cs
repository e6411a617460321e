namespace TaskScheduler.Broker;

/// <summary>
/// Where a program finds RabbitMQ: one AMQP URI for the credentials, virtual host and scheme, and every node it may
/// connect to. With several nodes the client tries them in turn at start and fails over to another when its node is
/// lost. Read from <c>Broker:Url</c> (one URI, or several separated by commas that differ only in host and port) and
/// optionally <c>Broker:Hosts</c> (host[:port] entries separated by commas, replacing the URI's own host).
/// </summary>
public sealed record BrokerAddress(Uri Uri, IReadOnlyList<BrokerEndpoint> Endpoints)
{
    public bool UsesTls => Uri.Scheme == "amqps";

    /// <summary>Parses the settings; a problem is reported as a message naming the key to fix.</summary>
    public static bool TryParse(string url, string? hosts, out BrokerAddress? address, out string? problem)
    {
        address = null;
        var uris = new List<Uri>();
        foreach (var part in url.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps") || uri.Host.Length == 0)
            {
                problem = $"{BrokerOptions.Section}:Url must be an amqp:// or amqps:// URI, or several separated by commas, not '{part}'";
                return false;
            }

            uris.Add(uri);
        }

        var first = uris[0];
        if (uris.Any(u => u.Scheme != first.Scheme || u.UserInfo != first.UserInfo || u.AbsolutePath != first.AbsolutePath))
        {
            problem = $"{BrokerOptions.Section}:Url lists URIs with different schemes, credentials or virtual hosts; " +
                      $"the nodes of one cluster differ only in host and port (or give them in {BrokerOptions.Section}:Hosts)";
            return false;
        }

        var defaultPort = first.Scheme == "amqps" ? 5671 : 5672;
        var endpoints = uris.Select(u => new BrokerEndpoint(u.IdnHost, u.IsDefaultPort || u.Port < 0 ? defaultPort : u.Port)).ToList();
        if (!string.IsNullOrWhiteSpace(hosts))
        {
            endpoints.Clear();
            foreach (var entry in hosts.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!TryParseHost(entry, defaultPort, out var endpoint))
                {
                    problem = $"{BrokerOptions.Section}:Hosts must be host or host:port entries separated by commas, not '{entry}'";
                    return false;
                }

                endpoints.Add(endpoint!);
            }
        }

        address = new BrokerAddress(first, endpoints.Distinct().ToList());
        problem = null;
        return true;
    }

    public static BrokerAddress Parse(string url, string? hosts) =>
        TryParse(url, hosts, out var address, out var problem) ? address! : throw new FormatException(problem);

    /// <summary>The URI without its password, for messages.</summary>
    public string Describe()
    {
        var safe = new UriBuilder(Uri) { Password = Uri.UserInfo.Contains(':', StringComparison.Ordinal) ? "***" : "" };
        return Endpoints.Count == 1 ? safe.Uri.ToString() : $"{safe.Uri} (nodes {string.Join(", ", Endpoints)})";
    }

    private static bool TryParseHost(string entry, int defaultPort, out BrokerEndpoint? endpoint)
    {
        endpoint = null;
        // host, host:port, [v6], [v6]:port: let Uri do the parsing it is good at.
        if (!Uri.TryCreate($"amqp://{entry}", UriKind.Absolute, out var uri) || uri.Host.Length == 0
            || uri.AbsolutePath != "/" || uri.UserInfo.Length > 0 || uri.Query.Length > 0)
        {
            return false;
        }

        var port = uri.IsDefaultPort || uri.Port < 0 ? defaultPort : uri.Port;
        if (entry.EndsWith(':') || port is < 1 or > 65535)
        {
            return false;
        }

        endpoint = new BrokerEndpoint(uri.IdnHost, port);
        return true;
    }
}
