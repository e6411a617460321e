using System.CommandLine;
using TaskScheduler.Client;

namespace TaskScheduler.Cli.Invocation;

/// <summary>Runs a command body, turning expected failures into a message and an exit code.</summary>
public static class CliRunner
{
    public static async Task<int> RunAsync(ParseResult result, Func<Output, Task<int>> body)
    {
        var output = new Output(result.GetValue(GlobalOptions.Json));
        try
        {
            return await body(output);
        }
        catch (CliException e)
        {
            Output.Error(e.Message);
            return e.ExitCode;
        }
        catch (TaskSchedulerUnavailableException e)
        {
            Output.Error(e.Part == UnavailablePart.Broker ? $"{e.Message}. Is RabbitMQ running? (deploy/start.sh starts one)" : e.Message);
            return e.Part == UnavailablePart.Broker ? ExitCodes.BrokerUnreachable : ExitCodes.SchedulerUnreachable;
        }
        catch (TaskRejectedException e)
        {
            Output.Error(e.Message);
            return ExitCodes.Rejected;
        }
        catch (TaskSchedulerClientException e)
        {
            Output.Error(e.Message);
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException)
        {
            Output.Error("cancelled");
            return 130;
        }
    }
}
