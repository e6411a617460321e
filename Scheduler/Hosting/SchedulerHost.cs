using Microsoft.Extensions.Options;
using TaskScheduler.Scheduler.Http;
using TaskScheduler.Scheduler.Observability;

namespace TaskScheduler.Scheduler.Hosting;

/// <summary>The program as a whole: everything registered, mapped and run, and how its end becomes an exit code.</summary>
public static class SchedulerHost
{
    /// <summary>The scheduler, its observability and its HTTP API.</summary>
    public static IHostApplicationBuilder AddScheduler(this IHostApplicationBuilder builder)
    {
        builder.AddTaskScheduler();
        builder.AddSchedulerObservability();
        builder.AddSchedulerApi();
        return builder;
    }

    /// <summary>The HTTP API, the dashboard and <c>/metrics</c>.</summary>
    public static WebApplication MapScheduler(this WebApplication app)
    {
        app.MapSchedulerApi();
        app.MapObservability();
        return app;
    }

    /// <summary>
    /// Runs until stopped: 0 after a requested stop, 1 when the scheduler failed (a supervisor such as systemd
    /// Restart=on-failure or Kubernetes restarts on a non-zero exit only), 2 on invalid settings.
    /// </summary>
    public static async Task<int> RunSchedulerAsync(this WebApplication app)
    {
        // Resolved before the run: the host disposes its services when it stops.
        var state = app.Services.GetRequiredService<PublishedView>();
        try
        {
            await app.RunAsync();
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync($"configuration error: {string.Join("; ", e.Failures)}");
            return 2;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            state.Fail(e);
        }

        if (state.Failure is { } failure)
        {
            await Console.Error.WriteLineAsync($"scheduler failed: {failure}");
            return 1;
        }

        return 0;
    }
}
