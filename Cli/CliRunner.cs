using System.CommandLine;

namespace TaskScheduler.Cli;

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
        catch (OperationCanceledException)
        {
            Output.Error("cancelled");
            return 130;
        }
    }
}
