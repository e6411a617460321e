using System.Threading.Channels;
using TaskScheduler.Scheduler.Engine;

namespace TaskScheduler.UnitTests.Engine;

/// <summary>The loop's input side, as far as a journal outage uses it: it logs being paused and resumed.</summary>
public sealed class FakeInputSource(DeliveryLog log) : IInputSource
{
    public string Prefix => "tasks";

    public Task StartAsync(ChannelWriter<SchedulerInput> inputs, CancellationToken ct) => Task.CompletedTask;

    public Task PauseAcceptingAsync(CancellationToken ct)
    {
        log.Add("pause accepting");
        return Task.CompletedTask;
    }

    public Task ResumeAcceptingAsync(CancellationToken ct)
    {
        log.Add("resume accepting");
        return Task.CompletedTask;
    }
}
