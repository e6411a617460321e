using TaskScheduler.Scheduler;
using TaskScheduler.Scheduler.Http;

var builder = WebApplication.CreateBuilder(args);
builder.AddTaskScheduler();

var app = builder.Build();
app.MapTaskEndpoints();
app.Run();
