using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TaskScheduler.Broker.Configuration;

namespace TaskScheduler.Client;

public static class TaskSchedulerClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="ITaskSchedulerClient"/> for the application, its options bound from the
    /// <c>TaskScheduler</c> configuration section (<see cref="TaskSchedulerClientOptions"/>) and then
    /// <paramref name="configure"/>. Bad settings fail when the client is first resolved, naming the key.
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

        services.TryAddSingleton<ITaskSchedulerClient>(provider => new TaskSchedulerClient(
            provider.GetRequiredService<IOptions<TaskSchedulerClientOptions>>().Value,
            http: null,
            provider.GetService<ILogger<TaskSchedulerClient>>()));
        return services;
    }
}
