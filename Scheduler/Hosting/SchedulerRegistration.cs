using System.Threading.Channels;
using MassTransit;
using Microsoft.Extensions.Options;
using TaskScheduler.Broker;
using TaskScheduler.Broker.Configuration;
using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Autoscaling;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Dispatching;
using TaskScheduler.Scheduler.Core.Liveness;
using TaskScheduler.Scheduler.Core.Retention;
using TaskScheduler.Scheduler.Core.Schedules;
using TaskScheduler.Scheduler.Engine;
using TaskScheduler.Scheduler.Health;
using TaskScheduler.Scheduler.Http;
using TaskScheduler.Scheduler.Journal;
using TaskScheduler.Scheduler.Observability;
using TaskScheduler.Scheduler.Status;
using TaskScheduler.Scheduler.Transport;

namespace TaskScheduler.Scheduler.Hosting;

/// <summary>The scheduler's options, loop, core, journal, transport and status request, wired together.</summary>
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
        services.AddOptions<AutoscaleOptions>().BindConfiguration(AutoscaleOptions.Section).ValidateWith(o => o.Validate()).ValidateOnStart();
        services.AddOptions<JournalOptions>().BindConfiguration(JournalOptions.Section).ValidateWith(o => o.Validate()).ValidateOnStart();
        services.AddOptions<EventsOptions>().BindConfiguration(EventsOptions.Section).ValidateWith(o => o.Validate()).ValidateOnStart();

        services.AddSingleton<TimeProvider>(new JournalClock(TimeProvider.System));
        services.AddSingleton(_ => Channel.CreateUnbounded<SchedulerInput>(new UnboundedChannelOptions { SingleReader = true }));
        services.AddSingleton<PublishedView>();
        var contentRoot = builder.Environment.ContentRootPath;
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<JournalOptions>>().Value;
            var path = o.FullPath(contentRoot);
            var logger = sp.GetRequiredService<ILogger<TaskJournal>>();
            logger.LogInformation("Opening the journal {JournalPath}", path);
            try
            {
                var journal = new TaskJournal(path, o.Durable, largePayloadChars: o.LargePayloadChars, materializeWindow: o.MaterializeEvery);
                if (journal.ReplayedTurns > 0)
                {
                    logger.LogInformation("Replayed {Turns} turns the last run committed but had not yet written as task documents", journal.ReplayedTurns);
                }

                return journal;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or LiteDB.LiteException or ArgumentException or InvalidDataException)
            {
                // LiteDB's own words on a damaged file say nothing of which file: the operator needs both.
                throw new InvalidOperationException($"the journal {path} cannot be opened ({e.GetType().Name}: {e.Message})", e);
            }
        });
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<SchedulerOptions>>().Value;
            return new SchedulerCore(
                new LivenessOptions(o.HeartbeatInterval, o.MissedHeartbeats), sp.GetRequiredService<TimeProvider>(), o.Preemption, o.Retry)
            {
                MaxGraphTasks = o.MaxGraphTasks,
                MaxRequeues = o.MaxRequeues,
                Groups = new GroupShares(o.Groups),
                MaxLanes = o.MaxLanes,
            };
        });
        services.AddSingleton(sp => new ScheduleBook { MisfireThreshold = sp.GetRequiredService<IOptions<SchedulerOptions>>().Value.MisfireThreshold });
        services.AddSingleton<IScheduleStore>(sp => new ScheduleStore(sp.GetRequiredService<TaskJournal>()));
        services.AddSingleton<ScheduleRunner>();
        services.AddSingleton(sp => new PayloadCache(sp.GetRequiredService<IOptions<SchedulerOptions>>().Value.PayloadCacheBytes));
        services.AddSingleton(sp => new WorkerDemandEstimator(
            sp.GetRequiredService<IOptions<AutoscaleOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<SchedulerOptions>>().Value;
            if (o.RenamedSettingInUse is { } renamed)
            {
                sp.GetRequiredService<ILogger<SchedulerOptions>>().LogWarning("{Renamed}", renamed);
            }

            return o.Loop();
        });
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SchedulerOptions>>().Value.Transport());
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SchedulerOptions>>().Value.Batches());
        services.AddSingleton<BrokerHealth>();
        services.AddSingleton<SchedulerTransport>();
        services.AddSingleton<ITurnPublisher, TurnPublisher>();
        services.AddSingleton<IInputSource>(sp => sp.GetRequiredService<SchedulerTransport>());
        services.AddSingleton<IJournal>(sp => sp.GetRequiredService<TaskJournal>());
        services.AddSingleton<ITaskReads>(sp => sp.GetRequiredService<TaskJournal>());
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<JournalOptions>>().Value.RetentionPolicy());
        services.AddSingleton<JournalStatus>();
        services.AddSingleton<JournalOutage>();
        services.AddSingleton(sp =>
        {
            var engine = ActivatorUtilities.CreateInstance<SchedulerEngine>(sp);
            engine.RestoreChunk = sp.GetRequiredService<IOptions<SchedulerOptions>>().Value.RestoreChunk;
            return engine;
        });
        services.AddSingleton<TaskStatusQuery>();
        services.AddSingleton<TaskListQuery>();
        services.AddHostedService<SchedulerLoop>();
        services.AddSchedulerHealthChecks();

        var broker = builder.Configuration.GetSection(BrokerOptions.Section).Get<BrokerOptions>() ?? new BrokerOptions();
        services.AddMassTransit(x =>
        {
            x.AddConsumer<GetTaskStatusConsumer>();
            x.UsingRabbitMq((context, cfg) =>
            {
                // A bad address is reported by the options validation, which runs before the bus starts.
                if (BrokerAddress.TryParse(broker.Url, broker.Hosts, out var address, out _))
                {
                    cfg.Host(address!.Uri, h =>
                    {
                        if (address.Endpoints.Count > 1)
                        {
                            h.UseCluster(c =>
                            {
                                foreach (var node in address.Endpoints)
                                {
                                    c.Node(node.ToString());
                                }
                            });
                        }
                    });
                }

                cfg.ReceiveEndpoint(broker.Topology.StatusQueue, e =>
                {
                    if (broker.UsesQuorumQueues)
                    {
                        e.SetQuorumQueue();
                    }

                    e.ConfigureConsumeTopology = false;
                    e.ConfigureConsumer<GetTaskStatusConsumer>(context);
                });
            });
        });

        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, WireJson.Default));
        return builder;
    }
}
