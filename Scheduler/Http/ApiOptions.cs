using System.Net;

namespace TaskScheduler.Scheduler.Http;

/// <summary>The <c>Api</c> configuration section: who may change things over HTTP.</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>The header a client puts its key in.</summary>
    public const string KeyHeader = "X-Api-Key";

    /// <summary>
    /// When set, every request that changes something (any method but GET and HEAD under /api) must carry it in
    /// the <c>X-Api-Key</c> header. Required when the scheduler listens on anything but loopback.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>The listening addresses (the <c>urls</c> setting); filled in from the host's settings.</summary>
    public string? Urls { get; set; }

    public IEnumerable<string> Validate()
    {
        if (Key is { Length: > 0 and < 16 })
        {
            yield return $"{Section}:Key must be at least 16 characters";
        }

        if (string.IsNullOrEmpty(Key) && NonLoopback(Urls) is { } exposed)
        {
            yield return $"the API listens on {exposed}, beyond loopback: set {Section}:Key (or the environment variable " +
                         "Api__Key) so that only holders of the key can submit and cancel tasks";
        }
    }

    /// <summary>The first address in <paramref name="urls"/> that is reachable from other machines, if any.</summary>
    public static string? NonLoopback(string? urls)
    {
        foreach (var url in (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kestrel's wildcards ("+", "*") are not valid URI hosts; they mean every interface.
            var host = Uri.TryCreate(url.Replace("://+", "://any", StringComparison.Ordinal).Replace("://*", "://any", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                ? uri.Host.Trim('[', ']')
                : url;
            var loopback = host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
            if (!loopback)
            {
                return url;
            }
        }

        return null;
    }
}
