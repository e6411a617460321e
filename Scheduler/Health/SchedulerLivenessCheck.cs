using Microsoft.Extensions.Diagnostics.HealthChecks;
using TaskScheduler.Scheduler.Observability;

namespace TaskScheduler.Scheduler.Health;

/// <summary>
/// Alive: the loop has not died and is not wedged. A restart helps neither a broker outage nor a slow start, so those
/// are the readiness check's business only.
/// </summary>
public sealed class SchedulerLivenessCheck(PublishedView state, TimeProvider time) : IHealthCheck
{
    /// <summary>A loop that has not turned for this long will not by itself: restarting the process is the way out.</summary>
    public static readonly TimeSpan WedgedAfter = TimeSpan.FromMinutes(2);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (state.Failure is { } failure)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"the scheduler loop died: {failure}"));
        }

        var idle = time.GetUtcNow() - state.LastTurn;
        return Task.FromResult(state.Ready && idle > WedgedAfter
            ? HealthCheckResult.Unhealthy($"the scheduler loop has not turned for {idle.TotalSeconds:0} s")
            : HealthCheckResult.Healthy("live"));
    }
}
