using System.Text;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>
/// A client generated at run time from the scheduler's OpenAPI document (read with Microsoft.OpenApi, the library the
/// document is written with): an operation is called by its operationId, with the method and path the document gives,
/// path parameters filled in and every other argument sent only as a query parameter the document declares. A call
/// the document does not describe fails here, so a working call shows the document is right. Generating C# (NSwag,
/// Kiota) would need a compiler at test time for the same proof.
/// </summary>
public sealed class OpenApiClient
{
    private readonly HttpClient _http;

    private OpenApiClient(HttpClient http, OpenApiDocument document)
    {
        _http = http;
        Document = document;
    }

    public OpenApiDocument Document { get; }

    public static async Task<OpenApiClient> LoadAsync(HttpClient http, string path)
    {
        var text = await http.GetStringAsync(new Uri(path, UriKind.Relative));
        var read = OpenApiDocument.Parse(text, "json", new OpenApiReaderSettings());
        Assert.That(read.Diagnostic?.Errors ?? [], Is.Empty, "the OpenAPI document reads without errors");
        return new OpenApiClient(http, read.Document ?? throw new AssertionException("no OpenAPI document"));
    }

    /// <summary>Every operation as "METHOD /path".</summary>
    public IEnumerable<string> Operations() =>
        Document.Paths.SelectMany(p => (p.Value.Operations ?? []).Select(o => $"{o.Key.Method.ToUpperInvariant()} {p.Key}"));

    public async Task<HttpResponseMessage> CallAsync(string operationId, IReadOnlyDictionary<string, string> arguments, HttpContent? body = null)
    {
        var (path, method, operation) = Document.Paths
            .SelectMany(p => (p.Value.Operations ?? []).Select(o => (Path: p.Key, Method: o.Key, Operation: o.Value)))
            .SingleOrDefault(o => o.Operation.OperationId == operationId);
        if (operation is null)
        {
            throw new AssertionException($"the document has no operation {operationId}");
        }

        var declared = (operation.Parameters ?? []).ToDictionary(p => p.Name!, p => p.In);
        var query = new StringBuilder();
        foreach (var (name, value) in arguments)
        {
            if (path.Contains($"{{{name}}}", StringComparison.Ordinal))
            {
                path = path.Replace($"{{{name}}}", Uri.EscapeDataString(value), StringComparison.Ordinal);
            }
            else if (declared.TryGetValue(name, out var where) && where == ParameterLocation.Query)
            {
                query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }
            else
            {
                throw new AssertionException($"{operationId} declares no query parameter {name}");
            }
        }

        if (body is not null && operation.RequestBody is null)
        {
            throw new AssertionException($"{operationId} declares no request body");
        }

        using var request = new HttpRequestMessage(method, new Uri(path + query, UriKind.Relative)) { Content = body };
        return await _http.SendAsync(request);
    }
}
