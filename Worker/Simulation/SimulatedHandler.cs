using System.Globalization;
using Microsoft.Extensions.Options;
using TaskScheduler.Worker.Handlers;

namespace TaskScheduler.Worker.Simulation;

/// <summary>
/// The default handler: pretends to work for a time derived from the payload (<see cref="SimulatedExecution"/>),
/// reports progress as it goes, and when preempted or drained pauses with the milliseconds of work done, which the
/// next attempt skips.
/// </summary>
public sealed class SimulatedHandler : ITaskHandler
{
    /// <summary>Progress is reported at least this often, so it shows in status while a long task runs.</summary>
    private static readonly TimeSpan ProgressStep = TimeSpan.FromSeconds(1);

    private readonly SimulationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SimulatedHandler> _logger;

    public SimulatedHandler(IOptions<SimulationOptions> options, TimeProvider time, ILogger<SimulatedHandler> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public async Task<TaskResult> RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var plan = SimulatedExecution.Plan(context.Payload, _options.MinRunTime, _options.MaxRunTime, _options.FailureRate);

        // A resumed task continues from the checkpoint of the attempt that was preempted: only the rest is run.
        var checkpoint = long.TryParse(context.Checkpoint, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? TimeSpan.FromMilliseconds(Math.Min(ms, (long)RunTimeHint.Max.TotalMilliseconds))
            : TimeSpan.Zero;
        var done = checkpoint > plan.Duration ? plan.Duration : checkpoint;
        _logger.LogDebug("Simulating task {TaskId} attempt {Attempt} for {Duration}", context.TaskId, context.Attempt, plan.Duration - done);
        var startedAt = _time.GetUtcNow();
        var resumedFrom = done;
        try
        {
            while (done < plan.Duration)
            {
                var step = plan.Duration - done < ProgressStep ? plan.Duration - done : ProgressStep;
                context.ReportProgress(done / plan.Duration, $"simulated {(long)done.TotalMilliseconds} of {(long)plan.Duration.TotalMilliseconds} ms", plan.Duration - done);

                await Task.Delay(step, _time, cancellationToken);
                done += step;
            }
        }
        catch (OperationCanceledException) when (context.StopReason is StopReason.Preempted or StopReason.Draining)
        {
            // The checkpoint: what was done before, plus what this attempt did up to the order.
            var elapsed = _time.GetUtcNow() - startedAt;
            var progress = resumedFrom + (elapsed > TimeSpan.Zero ? elapsed : TimeSpan.Zero);
            var saved = progress < plan.Duration ? progress : plan.Duration;
            _logger.LogDebug("Task {TaskId} attempt {Attempt} paused with {Progress} of {Duration} done", context.TaskId, context.Attempt, saved, plan.Duration);
            return TaskResult.Paused(((long)saved.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        }

        return plan.Fails ? TaskResult.Failed(plan.Error!) : TaskResult.Completed();
    }
}
