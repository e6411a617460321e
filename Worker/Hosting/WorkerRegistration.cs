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
        services.AddOptions<BrokerOptions>().BindConfiguration(BrokerOptions.Section).ValidateWith(o => o.Validate()).ValidateOnStart();
        services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptions.Section).ValidateWith(o => o.Validate()).ValidateOnStart();

        // Draining may take DrainTimeout; give the host that long plus room to say goodbye.
        var drain = builder.Configuration.GetSection(WorkerOptions.Section).Get<WorkerOptions>()?.DrainTimeout ?? TimeSpan.FromSeconds(30);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = drain + TimeSpan.FromSeconds(10));

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<WorkerTransport>();
        services.AddSingleton<WorkerAgent>();
        services.AddHostedService<WorkerService>();
        builder.AddWorkerTelemetry();
        return builder;
    }
}
