using System.Diagnostics;

namespace TaskScheduler.Cli.Autoscale;

/// <summary>How to start one worker: the program (a .dll runs under dotnet), and the arguments every worker gets.</summary>
public sealed record WorkerLaunch(string Program, string BrokerUrl, string Prefix, IReadOnlyList<string> ExtraArguments)
{
    public ProcessStartInfo StartInfo(string workerId)
    {
        var dll = Program.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var info = new ProcessStartInfo(dll ? "dotnet" : Program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        if (dll)
        {
            info.ArgumentList.Add(Program);
        }

        // The broker through the environment, not the command line, where its password would show in `ps`.
        info.Environment["Broker__Url"] = BrokerUrl;
        info.Environment["Broker__Prefix"] = Prefix;
        info.ArgumentList.Add($"--Worker:Id={workerId}");
        foreach (var argument in ExtraArguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }
}
