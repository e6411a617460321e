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

        info.ArgumentList.Add($"--Broker:Url={BrokerUrl}");
        info.ArgumentList.Add($"--Broker:Prefix={Prefix}");
        info.ArgumentList.Add($"--Worker:Id={workerId}");
        foreach (var argument in ExtraArguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }
}
