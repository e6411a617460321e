using Microsoft.Extensions.Options;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Configuration;
using TaskScheduler.Worker.Agent;
using TaskScheduler.Worker.Transport;

namespace TaskScheduler.Worker;

public static class WorkerRegistration
{
    public static IHostApplicationBuilder AddTaskWorker(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        AddValidatedOptions<BrokerOptions>(services, BrokerOptions.Section, o => o.Validate());
        AddValidatedOptions<WorkerOptions>(services, WorkerOptions.Section, o => o.Validate());

        // Draining may take DrainTimeout; give the host that long plus room to say goodbye.
        var drain = builder.Configuration.GetSection(WorkerOptions.Section).Get<WorkerOptions>()?.DrainTimeout ?? TimeSpan.FromSeconds(30);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = drain + TimeSpan.FromSeconds(10));

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<WorkerTransport>();
        services.AddSingleton<WorkerAgent>();
        services.AddHostedService<WorkerService>();
        return builder;
    }

    private static void AddValidatedOptions<T>(IServiceCollection services, string section, Func<T, IEnumerable<string>> validate)
        where T : class
    {
        services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(new SettingsValidation<T>(validate));
    }
}
