using TaskScheduler.Worker;

// Settings ship beside the binary, so the worker behaves the same from whatever directory it is started in.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddTaskWorker();
builder.Build().Run();
