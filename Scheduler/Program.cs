using TaskScheduler.Scheduler;
using TaskScheduler.Scheduler.Http;

// Settings ship beside the binary, so the scheduler behaves the same from whatever directory it is started in.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddTaskScheduler();

var app = builder.Build();
app.MapTaskEndpoints();
app.Run();
