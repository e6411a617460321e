using Microsoft.Extensions.Diagnostics.HealthChecks;
using TaskScheduler.Scheduler.Observability;
using TaskScheduler.Scheduler.Transport;

namespace TaskScheduler.Scheduler.Health;

/// <summary>
/// Ready to take work: the journal is restored, the loop runs and turns, the broker connection is up and unblocked,
/// every queue the scheduler reads is consumed, and the journal can write.
/// </summary>
public sealed class SchedulerReadinessCheck(PublishedView state, BrokerHealth broker, JournalStatus journal, TimeProvider time) : IHealthCheck
{
    /// <summary>A loop that has not turned for this long is stuck (a stalled disk, a blocked broker connection).</summary>
    public static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(10);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        if (state.Failure is { } failure)
        {
            problems.Add($"the scheduler loop died: {failure}");
        }
        else if (!state.Ready)
        {
            problems.Add("starting: restoring the journal and connecting to the broker");
        }
        else if (time.GetUtcNow() - state.LastTurn is var idle && idle > StallLimit)
        {
            problems.Add($"the scheduler loop has not turned for {idle.TotalSeconds:0} s");
        }

        if (journal.Refusal is { } refusal)
        {
            problems.Add(refusal);
        }

        problems.AddRange(broker.Problems);
        var ready = state.View.Restore is { } restore
            ? $"ready; restoring the journal: {restore.Loaded} of {(restore.Total is { } total ? total.ToString(System.Globalization.CultureInfo.InvariantCulture) : "(counting)")} pending tasks loaded"
            : "ready";
        return Task.FromResult(problems.Count == 0 ? HealthCheckResult.Healthy(ready) : HealthCheckResult.Unhealthy(string.Join("; ", problems)));
    }
}
