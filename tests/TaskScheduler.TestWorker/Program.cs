using TaskScheduler.TestWorker;
using TaskScheduler.Worker.Hosting;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddSingleton<StepClock>();
builder.AddTaskWorker<ScriptedHandler>();
await builder.Build().RunAsync();
