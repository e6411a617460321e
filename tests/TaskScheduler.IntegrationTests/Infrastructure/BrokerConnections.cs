using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>
/// A client's connections as the broker's management API (port 15672 of the broker's host) lists them: a connection
/// the broker closed and the client recovered shows up as another one, connected later.
/// </summary>
public static class BrokerConnections
{
    /// <summary>
    /// <see cref="NamedAsync"/> once the management API lists at least one such connection (it learns of new ones a
    /// few seconds late), or as it is after a minute.
    /// </summary>
    public static async Task<List<string>?> WaitForNamedAsync(string brokerUrl, string connectionName)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var connections = await NamedAsync(brokerUrl, connectionName);
            if (connections is not { Count: 0 } || DateTime.UtcNow > deadline)
            {
                return connections;
            }

            await Task.Delay(500);
        }
    }

    /// <summary>
    /// Each connection named <paramref name="connectionName"/> as "peer, connected at", or null when the management
    /// API does not answer (a broker without the plugin).
    /// </summary>
    public static async Task<List<string>?> NamedAsync(string brokerUrl, string connectionName)
    {
        var broker = new Uri(brokerUrl.Split(',')[0]);
        var credentials = Uri.UnescapeDataString(broker.UserInfo is { Length: > 0 } info ? info : "guest:guest");
        using var http = new HttpClient { BaseAddress = new Uri($"http://{broker.Host}:15672/"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        try
        {
            using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/connections", UriKind.Relative)));
            return [.. document.RootElement.EnumerateArray()
                .Where(c => c.TryGetProperty("client_properties", out var p) && p.TryGetProperty("connection_name", out var n) && n.GetString() == connectionName)
                .Select(c => $"{c.GetProperty("name").GetString()}, connected at {c.GetProperty("connected_at").GetInt64()}")];
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }
}
