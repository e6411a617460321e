using System.Diagnostics;
using TaskScheduler.Contracts.Observability;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>The trace context each submission of a turn came with, so the task's spans join its producer's trace.</summary>
public static class ProducerTraces
{
    /// <summary>By task id; default (no parent) for a submission that came without one.</summary>
    public static Dictionary<Guid, ActivityContext> Of(IReadOnlyList<SchedulerInput> inputs)
    {
        var producers = new Dictionary<Guid, ActivityContext>();
        foreach (var input in inputs)
        {
            switch (input)
            {
                case BrokerSubmission { Parsed: { } parsed } broker:
                    producers[parsed.Id] = TraceHeaders.Extract(broker.Headers) ?? default;
                    break;
                case HttpSubmission http:
                    producers[http.Parsed.Id] = http.Producer ?? default;
                    break;
            }
        }

        return producers;
    }
}
