namespace TaskScheduler.Scheduler.Http;

/// <summary>One named key of <c>Api:Keys</c>: the secret and the roles it grants.</summary>
public sealed class ApiKeyOptions
{
    public string? Key { get; set; }

    public List<ApiRole> Roles { get; set; } = [];
}
