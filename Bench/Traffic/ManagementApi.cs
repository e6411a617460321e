using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace TaskScheduler.Bench.Traffic;

/// <summary>
/// RabbitMQ's management API (the plugin deploy/broker.sh enables), read for the counters of one system's
/// connections: the channels' message_stats and the connections' octets. Only connections whose client-provided
/// name starts with the system's prefix count (<see cref="TrafficRole"/>), so other systems on the broker do not.
/// </summary>
public sealed class ManagementApi : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _vhost;

    public ManagementApi(Uri baseUrl, string user, string password, string vhost)
    {
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(10) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        _vhost = Uri.EscapeDataString(vhost);
    }

    public Uri BaseUrl => _http.BaseAddress!;

    /// <summary>
    /// The management URL for a broker URL: <paramref name="management"/> when given (credentials in it win),
    /// else the broker's first host on port 15672; credentials and virtual host default to the broker URL's.
    /// </summary>
    public static ManagementApi For(string brokerUrl, string? management)
    {
        var broker = new Uri(brokerUrl.Split(',')[0].Trim());
        var url = management is { Length: > 0 } m ? new Uri(m) : new UriBuilder("http", broker.Host, 15672).Uri;
        var (user, password) = Credentials(url.UserInfo) ?? Credentials(broker.UserInfo) ?? ("guest", "guest");
        var vhost = broker.AbsolutePath.Length > 1 ? Uri.UnescapeDataString(broker.AbsolutePath[1..]) : "/";
        var root = new UriBuilder(url) { UserName = "", Password = "", Path = url.AbsolutePath.TrimEnd('/') + "/" }.Uri;
        return new ManagementApi(root, user, password, vhost);
    }

    /// <summary>The counters of the connections and channels belonging to <paramref name="prefix"/>'s system now.</summary>
    public async Task<TrafficSnapshot> ReadAsync(string prefix, CancellationToken ct)
    {
        using var connections = await GetAsync($"api/vhosts/{_vhost}/connections?columns=name,user_provided_name,recv_oct,send_oct", ct);
        using var channels = await GetAsync($"api/vhosts/{_vhost}/channels?columns=name,connection_details.name,message_stats", ct);

        var roles = new Dictionary<string, string>(StringComparer.Ordinal);
        var octets = new Dictionary<string, TrafficCounters>(StringComparer.Ordinal);
        foreach (var connection in connections.RootElement.EnumerateArray())
        {
            var name = Text(connection, "name");
            if (name is null || TrafficRole.Of(Text(connection, "user_provided_name"), prefix) is not { } role)
            {
                continue;
            }

            roles[name] = role;
            octets[name] = new TrafficCounters(role, BytesIn: Number(connection, "recv_oct"), BytesOut: Number(connection, "send_oct"));
        }

        var messages = new Dictionary<string, TrafficCounters>(StringComparer.Ordinal);
        foreach (var channel in channels.RootElement.EnumerateArray())
        {
            var connection = channel.TryGetProperty("connection_details", out var details) ? Text(details, "name") : null;
            if (Text(channel, "name") is not { } name || connection is null || !roles.TryGetValue(connection, out var role))
            {
                continue;
            }

            var stats = channel.TryGetProperty("message_stats", out var s) ? s : default;
            messages[name] = new TrafficCounters(role,
                Published: Number(stats, "publish"), Delivered: Number(stats, "deliver_get"), Acked: Number(stats, "ack"), Confirmed: Number(stats, "confirm"));
        }

        return new TrafficSnapshot(octets, messages);
    }

    public void Dispose() => _http.Dispose();

    private async Task<JsonDocument> GetAsync(string path, CancellationToken ct)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative), ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{BaseUrl}{path.Split('?')[0]} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
    }

    private static (string, string)? Credentials(string userInfo)
    {
        if (userInfo.Length == 0)
        {
            return null;
        }

        var parts = userInfo.Split(':', 2);
        return (Uri.UnescapeDataString(parts[0]), parts.Length == 2 ? Uri.UnescapeDataString(parts[1]) : "");
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long Number(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
}
