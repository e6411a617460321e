using TaskScheduler.Worker.Configuration;

namespace TaskScheduler.Worker.Hosting;

/// <summary><c>Worker:Handler</c>: what the worker program runs for each attempt.</summary>
public sealed class HandlerOptions
{
    public const string Simulated = "simulated";
    public const string Command = "command";

    public string Handler { get; set; } = Simulated;

    public IEnumerable<string> Validate()
    {
        if (Handler is not (Simulated or Command))
        {
            yield return $"{WorkerOptions.Section}:Handler must be '{Simulated}' or '{Command}', not '{Handler}'";
        }
    }
}
