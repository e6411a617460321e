namespace TaskScheduler.Scheduler.Http;

/// <summary>Who sent a request, as the history of the tasks it acts on names them: the key's name.</summary>
public sealed record ApiCaller(string Name, IReadOnlySet<ApiRole> Roles)
{
    /// <summary>The name of the key set with <c>Api:Key</c>, which grants every role.</summary>
    public const string DefaultKeyName = "api-key";

    /// <summary>The caller when no key is configured (loopback only) or none was presented for a read.</summary>
    public static readonly ApiCaller Anonymous = new("anonymous", new HashSet<ApiRole>());

    public static ApiCaller Of(HttpContext context) =>
        context.Items.TryGetValue(typeof(ApiCaller), out var caller) && caller is ApiCaller known ? known : Anonymous;
}
