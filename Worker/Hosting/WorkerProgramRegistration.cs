using Microsoft.Extensions.Options;
using TaskScheduler.Broker.Configuration;
using TaskScheduler.Worker.Command;
using TaskScheduler.Worker.Configuration;
using TaskScheduler.Worker.Simulation;

namespace TaskScheduler.Worker.Hosting;

public static class WorkerProgramRegistration
{
    /// <summary>The worker program: the worker library with the handler <c>Worker:Handler</c> names.</summary>
    public static IHostApplicationBuilder AddWorkerProgram(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var section = builder.Configuration.GetSection(WorkerOptions.Section);
        services.AddOptions<HandlerOptions>().BindConfiguration(WorkerOptions.Section).ValidateWith(o => o.Validate()).ValidateOnStart();
        if (section[nameof(HandlerOptions.Handler)] == HandlerOptions.Command)
        {
            services.AddOptions<CommandOptions>().Configure<IConfiguration>((o, c) => CommandOptions.Read(o, c.GetSection(WorkerOptions.Section)))
                .ValidateWith(o => o.Validate()).ValidateOnStart();
            services.AddSingleton<ProcessSpawner>();
            return builder.AddTaskWorker<CommandHandler>();
        }

        services.AddOptions<SimulationOptions>().BindConfiguration(WorkerOptions.Section).ValidateWith(o => o.Validate()).ValidateOnStart();
        return builder.AddTaskWorker<SimulatedHandler>();
    }
}
