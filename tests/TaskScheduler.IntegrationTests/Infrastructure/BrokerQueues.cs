using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>
/// Queues as the broker's management API lists them. Asking there, unlike a passive declare, does not count as using
/// a queue, so it leaves an <c>x-expires</c> lease alone.
/// </summary>
public static class BrokerQueues
{
    /// <summary>The names of the queues whose name starts with <paramref name="prefix"/>.</summary>
    public static async Task<List<string>> NamedAsync(string brokerUrl, string prefix)
    {
        using var http = Management(brokerUrl);
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/queues?columns=name", UriKind.Relative)));
        return [.. document.RootElement.EnumerateArray().Select(q => q.GetProperty("name").GetString()!).Where(n => n.StartsWith(prefix, StringComparison.Ordinal))];
    }

    public static async Task<bool> ExistsAsync(string brokerUrl, string queue)
    {
        using var http = Management(brokerUrl);
        using var response = await http.GetAsync(new Uri($"api/queues/%2F/{Uri.EscapeDataString(queue)}", UriKind.Relative));
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        response.EnsureSuccessStatusCode();
        return true;
    }

    /// <summary>Polls until <paramref name="queue"/> is gone, for at most <paramref name="timeout"/>; false if it stayed.</summary>
    public static async Task<bool> WaitUntilGoneAsync(string brokerUrl, string queue, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (await ExistsAsync(brokerUrl, queue))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(250);
        }

        return true;
    }

    private static HttpClient Management(string brokerUrl)
    {
        var broker = new Uri(brokerUrl.Split(',')[0]);
        var credentials = Uri.UnescapeDataString(broker.UserInfo is { Length: > 0 } info ? info : "guest:guest");
        var http = new HttpClient { BaseAddress = new Uri($"http://{broker.Host}:15672/"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        return http;
    }
}
