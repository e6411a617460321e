using System.Net;

namespace TaskScheduler.Scheduler.Http;

/// <summary>The <c>Api</c> configuration section: who may change things over HTTP.</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>The header a client puts its key in.</summary>
    public const string KeyHeader = "X-Api-Key";

    /// <summary>
    /// The key of earlier versions, which still works: it grants every role, under the name
    /// <see cref="ApiCaller.DefaultKeyName"/>. A key (this or one of <see cref="Keys"/>) is required when the
    /// scheduler listens on anything but loopback.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>Named keys, each with its roles: <c>Api:Keys:NAME:Key</c> and <c>Api:Keys:NAME:Roles</c>.</summary>
    public Dictionary<string, ApiKeyOptions> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether reads (GET, HEAD) need no key from other machines either, as before keys had roles. On this machine
    /// (loopback) they never need one.
    /// </summary>
    public bool AnonymousReads { get; set; } = true;

    /// <summary>Every configured key with its name and roles.</summary>
    public IEnumerable<(string Name, string Key, IReadOnlySet<ApiRole> Roles)> NamedKeys()
    {
        if (!string.IsNullOrEmpty(Key))
        {
            yield return (ApiCaller.DefaultKeyName, Key, Enum.GetValues<ApiRole>().ToHashSet());
        }

        foreach (var (name, key) in Keys)
        {
            if (!string.IsNullOrEmpty(key.Key))
            {
                yield return (name, key.Key, key.Roles.ToHashSet());
            }
        }
    }

    /// <summary>The listening addresses (the <c>urls</c> setting); filled in from the host's settings.</summary>
    public string? Urls { get; set; }

    public IEnumerable<string> Validate()
    {
        if (Key is { Length: > 0 and < 16 })
        {
            yield return $"{Section}:Key must be at least 16 characters";
        }

        foreach (var (name, key) in Keys)
        {
            if (key.Key is not { Length: >= 16 })
            {
                yield return $"{Section}:Keys:{name}:Key must be at least 16 characters";
            }

            if (key.Roles.Count == 0)
            {
                yield return $"{Section}:Keys:{name}:Roles must name at least one of read, submit, operate";
            }
        }

        var secrets = NamedKeys().Select(k => k.Key).ToList();
        if (secrets.Count != secrets.Distinct(StringComparer.Ordinal).Count())
        {
            yield return $"two keys of {Section} are the same secret: each key needs its own, so that it names its holder";
        }

        if (secrets.Count == 0 && NonLoopback(Urls) is { } exposed)
        {
            yield return $"the API listens on {exposed}, beyond loopback: set {Section}:Key (or the environment variable " +
                         $"Api__Key) or named keys with roles under {Section}:Keys so that only holders of a key can submit and act on tasks";
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
