using System.Threading.Channels;
using MassTransit;
using Microsoft.Extensions.Options;
using TaskScheduler.Scheduler.Http;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Configuration;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Journal;
using TaskScheduler.Scheduler.Status;
using TaskScheduler.Scheduler.Transport;

namespace TaskScheduler.Scheduler;

public static class SchedulerRegistration
{
    public static IHostApplicationBuilder AddTaskScheduler(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<BrokerOptions>().BindConfiguration(BrokerOptions.Section).ValidateWith(o => o.Validate()).ValidateOnStart();
        services.AddOptions<SchedulerOptions>().BindConfiguration(SchedulerOptions.Section).ValidateWith(o => o.Validate()).ValidateOnStart();
        services.AddOptions<ApiOptions>()
            .BindConfiguration(ApiOptions.Section)
            .Configure<IConfiguration>((o, configuration) => o.Urls = configuration["urls"])
            .ValidateWith(o => o.Validate())
            .ValidateOnStart();
        services.AddOptions<JournalOptions>().BindConfiguration(JournalOptions.Section).ValidateWith(o => o.Validate()).ValidateOnStart();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => Channel.CreateUnbounded<SchedulerInput>(new UnboundedChannelOptions { SingleReader = true }));
        services.AddSingleton<SchedulerState>();
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<JournalOptions>>().Value;
            return new TaskJournal(o.Path, o.Durable);
        });
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<SchedulerOptions>>().Value;
            return new SchedulerCore(new LivenessOptions(o.HeartbeatInterval, o.MissedHeartbeats), sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<SchedulerTransport>();
        services.AddSingleton<SchedulerEngine>();
        services.AddSingleton<TaskStatusQuery>();
        services.AddHostedService<SchedulerLoop>();

        var broker = builder.Configuration.GetSection(BrokerOptions.Section).Get<BrokerOptions>() ?? new BrokerOptions();
        services.AddMassTransit(x =>
        {
            x.AddConsumer<GetTaskStatusConsumer>();
            x.UsingRabbitMq((context, cfg) =>
            {
                if (Uri.TryCreate(broker.Url, UriKind.Absolute, out var uri))
                {
                    cfg.Host(uri);
                }

                cfg.ReceiveEndpoint(broker.Topology.StatusQueue, e =>
                {
                    e.ConfigureConsumeTopology = false;
                    e.ConfigureConsumer<GetTaskStatusConsumer>(context);
                });
            });
        });

        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, WireJson.Default));
        return builder;
    }
}
