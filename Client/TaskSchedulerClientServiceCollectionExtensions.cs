using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TaskScheduler.Broker.Configuration;

namespace TaskScheduler.Client;

public static class TaskSchedulerClientServiceCollectionExtensions
{
    /// <summary>
    /// The name of the <see cref="HttpClient"/> the client asks <see cref="IHttpClientFactory"/> for: configure it with
    /// <c>services.AddHttpClient(HttpClientName)</c> (handlers, proxies, resilience).
    /// </summary>
    public const string HttpClientName = "TaskScheduler.Client";

    /// <summary>
    /// Registers one <see cref="ITaskSchedulerClient"/> for the application, its options bound from the
    /// <c>TaskScheduler</c> configuration section (<see cref="TaskSchedulerClientOptions"/>) and then
    /// <paramref name="configure"/>. Its HTTP calls go through <see cref="IHttpClientFactory"/>, by the name
    /// <see cref="HttpClientName"/>. Bad settings fail when the client is first resolved, naming the key.
    /// </summary>
    public static IServiceCollection AddTaskSchedulerClient(this IServiceCollection services, Action<TaskSchedulerClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<TaskSchedulerClientOptions>()
            .BindConfiguration(TaskSchedulerClientOptions.Section)
            .ValidateWith(o => o.Validate());
        if (configure is not null)
        {
            options.Configure(configure);
        }

        // The client's own default: a status query that takes longer than this is a scheduler in trouble.
        services.AddHttpClient(HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(10));
        services.TryAddSingleton<ITaskSchedulerClient>(provider => new TaskSchedulerClient(
            provider.GetRequiredService<IOptions<TaskSchedulerClientOptions>>().Value,
            provider.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            provider.GetService<ILogger<TaskSchedulerClient>>()));
        return services;
    }
}
