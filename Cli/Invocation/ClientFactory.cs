using System.CommandLine;
using TaskScheduler.Broker;
using TaskScheduler.Client;

namespace TaskScheduler.Cli.Invocation;

/// <summary>The client library, set up from the global options (and TASKS_API_KEY), as every command uses it.</summary>
public static class ClientFactory
{
    /// <param name="configure">What a command sets beyond the global options (such as <c>tasks wait --unknown-grace</c>).</param>
    public static ITaskSchedulerClient Create(ParseResult result, string? connectionName = null, Action<TaskSchedulerClientOptions>? configure = null)
    {
        var url = result.GetValue(GlobalOptions.Broker)!;
        if (!BrokerAddress.TryParse(url, hosts: null, out _, out _))
        {
            throw new CliException(ExitCodes.Usage, $"--broker must be an amqp:// URI, or several separated by commas, not '{url}'");
        }

        var prefix = result.GetValue(GlobalOptions.Prefix)!;
        var endpoints = SchedulerEndpointsOf(result);
        var options = new TaskSchedulerClientOptions
        {
            Broker = new BrokerOptions { Url = url, Prefix = prefix },
            SchedulerUrls = [.. endpoints.Addresses],
            // A scheduler that listens beyond loopback wants its key on every change (docs/security.md).
            ApiKey = Environment.GetEnvironmentVariable("TASKS_API_KEY"),
            ConnectionName = connectionName ?? "tasks cli",
        };
        configure?.Invoke(options);
        if (options.Validate().FirstOrDefault() is { } problem)
        {
            throw new CliException(ExitCodes.Usage, problem);
        }

        return new TaskSchedulerClient(options);
    }

    /// <summary>The scheduler's addresses from <c>--scheduler</c> (or TASKS_SCHEDULER_URL): one URL, or several separated by commas.</summary>
    public static SchedulerEndpoints SchedulerEndpointsOf(ParseResult result)
    {
        var scheduler = result.GetValue(GlobalOptions.Scheduler)!;
        return SchedulerEndpoints.TryParse(scheduler, out var endpoints, out var problem)
            ? endpoints!
            : throw new CliException(ExitCodes.Usage, $"--scheduler must be an http:// URL, or several separated by commas: {problem}");
    }
}
