using System.CommandLine;
using TaskScheduler.Broker;
using TaskScheduler.Contracts;

namespace TaskScheduler.Cli.Invocation;

/// <summary>Options every command takes, each with an environment variable behind it.</summary>
public static class GlobalOptions
{
    public static readonly Option<string> Broker = new("--broker")
    {
        Description = "AMQP URI of the broker, or of each node of a cluster separated by commas (env TASKS_BROKER_URL)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("TASKS_BROKER_URL") ?? BrokerOptions.DefaultUrl,
    };

    public static readonly Option<string> Prefix = new("--prefix")
    {
        Description = "Topology prefix of the system (env TASKS_PREFIX)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("TASKS_PREFIX") ?? Topology.DefaultPrefix,
    };

    public static readonly Option<string> Scheduler = new("--scheduler")
    {
        Description = "Base URL of the scheduler's HTTP API, or several separated by commas, tried in order (env TASKS_SCHEDULER_URL)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("TASKS_SCHEDULER_URL") ?? "http://127.0.0.1:5080",
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print JSON for machines instead of text for people",
        Recursive = true,
    };
}
