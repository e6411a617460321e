using Microsoft.Extensions.Options;
using TaskScheduler.Scheduler;
using TaskScheduler.Scheduler.Http;
using TaskScheduler.Scheduler.Observability;

// Settings ship beside the binary, so the scheduler behaves the same from whatever directory it is started in.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddTaskScheduler();
builder.AddSchedulerObservability();
builder.AddSchedulerApi();

var app = builder.Build();
app.MapSchedulerApi();
app.MapObservability();
// Resolved before the run: the host disposes its services when it stops.
var state = app.Services.GetRequiredService<SchedulerState>();
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

// A supervisor (systemd Restart=on-failure, Kubernetes) restarts on a non-zero exit only.
if (state.Failure is { } failure)
{
    await Console.Error.WriteLineAsync($"scheduler failed: {failure}");
    return 1;
}

return 0;
