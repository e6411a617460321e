using TaskScheduler.Scheduler.Hosting;

// Settings ship beside the binary, so the scheduler behaves the same from whatever directory it is started in.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddScheduler();

var app = builder.Build();
app.MapScheduler();
return await app.RunSchedulerAsync();
