using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace TaskScheduler.Scheduler.Http;

/// <summary>
/// Guards every changing request under /api with the configured key (constant-time compare); reads stay open,
/// like the dashboard that shows them.
/// </summary>
public sealed class ApiKeyMiddleware
{
    private readonly RequestDelegate _next;
    private readonly byte[]? _key;

    public ApiKeyMiddleware(RequestDelegate next, IOptions<ApiOptions> options)
    {
        _next = next;
        _key = string.IsNullOrEmpty(options.Value.Key) ? null : Encoding.UTF8.GetBytes(options.Value.Key);
    }

    public async Task InvokeAsync(HttpContext context)
    {
        if (_key is not null
            && context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
            && !HttpMethods.IsGet(context.Request.Method)
            && !HttpMethods.IsHead(context.Request.Method)
            && !Presented(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsJsonAsync(new { error = $"this scheduler needs its API key in the {ApiOptions.KeyHeader} header to change anything" });
            return;
        }

        await _next(context);
    }

    private bool Presented(HttpRequest request) =>
        request.Headers.TryGetValue(ApiOptions.KeyHeader, out var values)
        && values.Count == 1
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(values[0] ?? ""), _key);
}
