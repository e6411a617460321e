using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TaskScheduler.Broker;
using TaskScheduler.Broker.Configuration;
using TaskScheduler.Worker.Agent;
using TaskScheduler.Worker.Configuration;
using TaskScheduler.Worker.Handlers;
using TaskScheduler.Worker.Transport;

namespace TaskScheduler.Worker.Hosting;

public static class WorkerRegistration
{
    /// <summary>
    /// Makes this host a TaskScheduler worker whose attempts run <typeparamref name="THandler"/>, resolved from
    /// dependency injection in a scope of its own for each attempt (registered as scoped unless already registered).
    /// Settings come from the <c>Broker</c> and <c>Worker</c> sections.
    /// </summary>
    public static IHostApplicationBuilder AddTaskWorker<THandler>(this IHostApplicationBuilder builder)
        where THandler : class, ITaskHandler =>
        builder.AddTaskWorker(typeof(THandler), configure: null);

    /// <summary>
    /// As <see cref="AddTaskWorker{THandler}(IHostApplicationBuilder)"/>, with <paramref name="configure"/> applied to
    /// the <c>Worker</c> settings after the configuration is read (so it overrides it); the settings are then
    /// validated as ever.
    /// </summary>
    public static IHostApplicationBuilder AddTaskWorker<THandler>(this IHostApplicationBuilder builder, Action<WorkerOptions> configure)
        where THandler : class, ITaskHandler
    {
        ArgumentNullException.ThrowIfNull(configure);
        return builder.AddTaskWorker(typeof(THandler), configure);
    }

    /// <summary>As <see cref="AddTaskWorker{THandler}(IHostApplicationBuilder)"/>, for a handler type chosen at run time.</summary>
    public static IHostApplicationBuilder AddTaskWorker(this IHostApplicationBuilder builder, Type handlerType) =>
        builder.AddTaskWorker(handlerType, configure: null);

    private static IHostApplicationBuilder AddTaskWorker(this IHostApplicationBuilder builder, Type handlerType, Action<WorkerOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAdd(ServiceDescriptor.Scoped(handlerType, handlerType));
        services.AddOptions<BrokerOptions>().BindConfiguration(BrokerOptions.Section).ValidateWith(o => o.Validate()).ValidateOnStart();
        var workerOptions = services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptions.Section);
        if (configure is not null)
        {
            workerOptions.Configure(configure);
        }

        workerOptions.ValidateWith(o => o.Validate()).ValidateOnStart();

        // Draining may take DrainTimeout, and a handler deaf to its token PreemptGrace more; give the host that long
        // plus room to say goodbye. Nodes of one process start and drain side by side, not one after another.
        var settings = builder.Configuration.GetSection(WorkerOptions.Section).Get<WorkerOptions>() ?? new WorkerOptions();
        configure?.Invoke(settings);
        services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = settings.DrainTimeout + settings.PreemptGrace + TimeSpan.FromSeconds(10);
            o.ServicesStartConcurrently = true;
            o.ServicesStopConcurrently = true;
        });

        services.TryAddSingleton(TimeProvider.System);

        // A bad Nodes value registers one node here and is then reported by the options validation, by name.
        var nodes = settings.Nodes is >= 1 and <= WorkerOptions.MaxNodes ? settings.Nodes : 1;
        for (var node = 1; node <= nodes; node++)
        {
            var index = node;
            services.AddSingleton<IHostedService>(sp => CreateNode(sp, index, handlerType));
        }

        builder.AddWorkerTelemetry();
        return builder;
    }

    /// <summary>One worker node: its own connection, queues, heartbeat and slots.</summary>
    private static WorkerService CreateNode(IServiceProvider sp, int node, Type handlerType)
    {
        var options = Options.Create(sp.GetRequiredService<IOptions<WorkerOptions>>().Value.ForNode(node));
        var time = sp.GetRequiredService<TimeProvider>();
        var transport = new WorkerTransport(sp.GetRequiredService<IOptions<BrokerOptions>>(), options, sp.GetRequiredService<ILogger<WorkerTransport>>());
        var handlers = new TaskHandlerActivator(sp.GetRequiredService<IServiceScopeFactory>(), handlerType);
        var agent = new WorkerAgent(transport, handlers, options, time, sp.GetRequiredService<ILogger<WorkerAgent>>());
        return new WorkerService(agent, transport, options, time, sp.GetRequiredService<ILogger<WorkerService>>());
    }
}
