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
        services.AddOptions<BrokerOptions>().BindConfiguration(BrokerOptions.Section).ValidateWith(o => o.Validate()).ValidateOnStart();
        services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptions.Section).ValidateWith(o => o.Validate()).ValidateOnStart();

        // Draining may take DrainTimeout; give the host that long plus room to say goodbye. Nodes of one process
        // start and drain side by side, not one after another.
        var section = builder.Configuration.GetSection(WorkerOptions.Section);
        var drain = section.Get<WorkerOptions>()?.DrainTimeout ?? TimeSpan.FromSeconds(30);
        services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = drain + TimeSpan.FromSeconds(10);
            o.ServicesStartConcurrently = true;
            o.ServicesStopConcurrently = true;
        });

        services.AddSingleton(TimeProvider.System);

        // A bad Nodes value registers one node here and is then reported by the options validation, by name.
        var nodes = int.TryParse(section[nameof(WorkerOptions.Nodes)], out var n) && n is >= 1 and <= WorkerOptions.MaxNodes ? n : 1;
        for (var node = 1; node <= nodes; node++)
        {
            var index = node;
            services.AddSingleton<IHostedService>(sp => CreateNode(sp, index));
        }

        builder.AddWorkerTelemetry();
        return builder;
    }

    /// <summary>One worker node: its own connection, queues, heartbeat and slots.</summary>
    private static WorkerService CreateNode(IServiceProvider sp, int node)
    {
        var options = Options.Create(sp.GetRequiredService<IOptions<WorkerOptions>>().Value.ForNode(node));
        var time = sp.GetRequiredService<TimeProvider>();
        var transport = new WorkerTransport(sp.GetRequiredService<IOptions<BrokerOptions>>(), options, sp.GetRequiredService<ILogger<WorkerTransport>>());
        var agent = new WorkerAgent(transport, options, time, sp.GetRequiredService<ILogger<WorkerAgent>>());
        return new WorkerService(agent, transport, options, time, sp.GetRequiredService<ILogger<WorkerService>>());
    }
}
