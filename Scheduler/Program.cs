using Microsoft.Extensions.Options;
using TaskScheduler.Scheduler;
using TaskScheduler.Scheduler.Http;

// Settings ship beside the binary, so the scheduler behaves the same from whatever directory it is started in.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddTaskScheduler();
builder.AddSchedulerObservability();

var app = builder.Build();
app.UseMiddleware<ApiKeyMiddleware>();
app.MapTaskEndpoints();
app.MapAutoscaleEndpoints();
app.MapObservability();
try
{
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException e)
{
    await Console.Error.WriteLineAsync($"configuration error: {string.Join("; ", e.Failures)}");
    return 2;
}
