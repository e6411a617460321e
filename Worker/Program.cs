using Microsoft.Extensions.Options;
using TaskScheduler.Worker.Hosting;

// Settings ship beside the binary, so the worker behaves the same from whatever directory it is started in.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddWorkerProgram();
try
{
    await builder.Build().RunAsync();
    return 0;
}
catch (OptionsValidationException e)
{
    await Console.Error.WriteLineAsync($"configuration error: {string.Join("; ", e.Failures)}");
    return 2;
}
