using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace TaskScheduler.Scheduler.Http;

/// <summary>
/// Checks the <c>X-Api-Key</c> of every request under /api against the configured keys (constant-time compare) and
/// the role the endpoint needs (<see cref="RequiredRole"/>; a change without one needs <see cref="ApiRole.Operate"/>).
/// With no key configured everything is open, as the scheduler then listens on loopback only. Reads need no key when
/// <see cref="ApiOptions.AnonymousReads"/> is on or the caller is on this machine. A missing or unknown key answers
/// 401, a key without the role 403, both as problem details.
/// </summary>
public sealed class ApiKeyMiddleware
{
    private readonly RequestDelegate _next;
    private readonly IReadOnlyList<(byte[] Secret, ApiCaller Caller)> _keys;
    private readonly bool _anonymousReads;

    public ApiKeyMiddleware(RequestDelegate next, IOptions<ApiOptions> options)
    {
        _next = next;
        _keys = [.. options.Value.NamedKeys().Select(k => (Encoding.UTF8.GetBytes(k.Key), new ApiCaller(k.Name, k.Roles)))];
        _anonymousReads = options.Value.AnonymousReads;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        if (_keys.Count == 0 || !context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            await _next(context);
            return;
        }

        var role = context.GetEndpoint()?.Metadata.GetMetadata<RequiredRole>()?.Role
            ?? (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) ? ApiRole.Read : ApiRole.Operate);
        var presented = context.Request.Headers.TryGetValue(ApiOptions.KeyHeader, out var values);
        var caller = presented ? Identify(values) : null;
        if (presented && caller is null)
        {
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, $"the key in the {ApiOptions.KeyHeader} header is not one this scheduler knows");
            return;
        }

        if (caller is null)
        {
            if (role == ApiRole.Read && (_anonymousReads || IsLocal(context)))
            {
                await _next(context);
                return;
            }

            await RefuseAsync(context, StatusCodes.Status401Unauthorized,
                $"this scheduler needs an API key with the role {Name(role)} in the {ApiOptions.KeyHeader} header for this request");
            return;
        }

        if (!caller.Roles.Contains(role))
        {
            await RefuseAsync(context, StatusCodes.Status403Forbidden,
                $"the key {caller.Name} lacks the role {Name(role)} this request needs (it has: {string.Join(", ", caller.Roles.Select(Name))})");
            return;
        }

        context.Items[typeof(ApiCaller)] = caller;
        await _next(context);
    }

    private ApiCaller? Identify(Microsoft.Extensions.Primitives.StringValues values)
    {
        if (values.Count != 1)
        {
            return null;
        }

        var presented = Encoding.UTF8.GetBytes(values[0] ?? "");
        ApiCaller? found = null;
        foreach (var (secret, caller) in _keys)
        {
            // Every key is compared, so the time taken says nothing about which one (nearly) matched.
            if (CryptographicOperations.FixedTimeEquals(presented, secret))
            {
                found = caller;
            }
        }

        return found;
    }

    private static bool IsLocal(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address);

    private static string Name(ApiRole role) => role.ToString().ToLowerInvariant();

    private static Task RefuseAsync(HttpContext context, int status, string detail) =>
        ApiProblem.Create(status, detail).ExecuteAsync(context);
}
