using System.Threading.Channels;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>Where the loop's inputs come from (Transport/SchedulerTransport): started once, it writes them to the loop.</summary>
public interface IInputSource
{
    /// <summary>The broker prefix the inputs are read under, for the log.</summary>
    string Prefix { get; }

    /// <summary>Connects and starts writing inputs (submissions, cancel requests, worker events, broker state) to <paramref name="inputs"/>.</summary>
    Task StartAsync(ChannelWriter<SchedulerInput> inputs, CancellationToken ct);

    /// <summary>Stops taking submissions and cancel requests: they wait in the broker (<see cref="JournalOutage"/>).</summary>
    Task PauseAcceptingAsync(CancellationToken ct);

    /// <summary>Takes submissions and cancel requests again.</summary>
    Task ResumeAcceptingAsync(CancellationToken ct);
}
