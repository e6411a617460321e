using System.Net.Http;

namespace TaskScheduler.Client;

/// <summary>
/// Several addresses of the scheduler's HTTP API (the replicas of a deployment, or one scheduler reachable more than
/// one way), tried in order: a request goes to the address that answered last, and to the next one when that cannot
/// be reached. A change is sent again only when it never reached a scheduler (the connection could not be made), so
/// it is never applied twice; a read is also sent again after a timeout. Any thread.
/// </summary>
public sealed class SchedulerEndpoints
{
    private readonly Uri[] _addresses;
    private int _current;

    /// <param name="addresses">The API's base URLs, absolute http:// or https://, at least one.</param>
    public SchedulerEndpoints(IEnumerable<Uri> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        _addresses = [.. addresses.Select(a => a.AbsoluteUri.EndsWith('/') ? a : new Uri(a.AbsoluteUri + "/"))];
        if (_addresses.Length == 0)
        {
            throw new ArgumentException("at least one scheduler address is needed", nameof(addresses));
        }
    }

    /// <summary>Every address, in the order they are tried.</summary>
    public IReadOnlyList<Uri> Addresses => _addresses;

    /// <summary>The address that answered last (the first one until then).</summary>
    public Uri Current => _addresses[Volatile.Read(ref _current)];

    /// <summary>
    /// Parses addresses separated by commas (as <c>TASKS_SCHEDULER_URL</c> and <c>--scheduler</c> take them); false,
    /// naming the first bad one, unless every one is an absolute http:// or https:// URL.
    /// </summary>
    public static bool TryParse(string? text, out SchedulerEndpoints? endpoints, out string? problem)
    {
        endpoints = null;
        var addresses = new List<Uri>();
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var address) || !IsHttp(address))
            {
                problem = $"'{part}' is not an absolute http:// or https:// URL";
                return false;
            }

            addresses.Add(address);
        }

        if (addresses.Count == 0)
        {
            problem = "no scheduler URL given";
            return false;
        }

        endpoints = new SchedulerEndpoints(addresses);
        problem = null;
        return true;
    }

    /// <summary>True for an absolute http:// or https:// URL: what the options and <see cref="TryParse"/> accept.</summary>
    internal static bool IsHttp(Uri? address) => address is { IsAbsoluteUri: true, Scheme: "http" or "https" };

    /// <summary>For messages: the one address, or "any of" them all, without their trailing slashes.</summary>
    public override string ToString() => _addresses.Length == 1
        ? Trimmed(_addresses[0])
        : $"any of {string.Join(", ", _addresses.Select(Trimmed))}";

    /// <summary>
    /// Sends the request <paramref name="build"/> makes for an address, starting with <see cref="Current"/>, moving
    /// on while an address cannot be reached; throws what the last one threw when none can.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpClient http, Func<Uri, HttpRequestMessage> build, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(build);
        var first = Volatile.Read(ref _current);
        for (var tried = 0; ; tried++)
        {
            var index = (first + tried) % _addresses.Length;
            using var request = build(_addresses[index]);
            try
            {
                var response = await http.SendAsync(request, ct);
                Volatile.Write(ref _current, index);
                return response;
            }
            catch (Exception e) when (tried + 1 < _addresses.Length && Unreached(e, request.Method, ct))
            {
                // The next address.
            }
        }
    }

    private static string Trimmed(Uri address) => address.AbsoluteUri.TrimEnd('/');

    /// <summary>True when the request certainly never reached a scheduler, or is a read that may safely go again.</summary>
    private static bool Unreached(Exception e, HttpMethod method, CancellationToken ct) => e switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } => true,
        HttpRequestException when method == HttpMethod.Get => true,
        TaskCanceledException when !ct.IsCancellationRequested && method == HttpMethod.Get => true,
        _ => false,
    };
}
