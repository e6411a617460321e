using System.Diagnostics;
using System.Globalization;
using TaskScheduler.Worker.Handlers;

namespace TaskScheduler.TestWorker;

/// <summary>
/// Does what the payload says, so one worker serves every test:
/// <c>echo TEXT</c> completes with TEXT; <c>throw TEXT</c> throws; <c>wait</c> waits for the token;
/// <c>spin SECONDS</c> burns the CPU without ever yielding; <c>slow-first</c> waits for the token on attempt 1 and
/// completes on later ones; <c>deaf SECONDS</c> saves a checkpoint then sleeps, deaf to its token; <c>steps N</c> works N steps, saving a checkpoint every 5 and pausing with its step
/// when preempted. Every line it logs names the task, so tests read the worker's log.
/// </summary>
public sealed class ScriptedHandler : ITaskHandler
{
    private readonly StepClock _clock;
    private readonly ILogger<ScriptedHandler> _logger;

    public ScriptedHandler(StepClock clock, ILogger<ScriptedHandler> logger)
    {
        _clock = clock;
        _logger = logger;
    }

    public async Task<TaskResult> RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        try
        {
            return await RunScriptAsync(context, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _logger.LogInformation("Task {TaskId} attempt {Attempt}: token fired ({Reason}) at {At}",
                context.TaskId, context.Attempt, context.StopReason, DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            throw;
        }
    }

    private async Task<TaskResult> RunScriptAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var verb = context.Payload.Split(' ', 2);
        var argument = verb.Length > 1 ? verb[1] : "";
        switch (verb[0])
        {
            case "echo":
                return TaskResult.Completed(argument);

            case "throw":
                throw new InvalidOperationException(argument);

            case "wait":
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return TaskResult.Completed("the token never fired");

            case "slow-first" when context.Attempt == 1:
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return TaskResult.Completed("attempt 1 was not stopped");

            case "slow-first":
                return TaskResult.Completed($"attempt {context.Attempt}");

            case "spin":
                var until = Stopwatch.StartNew();
                var spins = 0L;
                while (until.Elapsed < TimeSpan.FromSeconds(double.Parse(argument, CultureInfo.InvariantCulture)))
                {
                    spins++;
                }

                return TaskResult.Completed($"spun {spins > 0}");

            case "deaf":
                // Saves a checkpoint, then sleeps through its token, as blocking code that never checks it would.
                await context.SaveCheckpointAsync("saved before going deaf", CancellationToken.None);
                Thread.Sleep(TimeSpan.FromSeconds(double.Parse(argument, CultureInfo.InvariantCulture)));
                return TaskResult.Completed("woke up");

            case "steps":
                return await StepAsync(context, int.Parse(argument, CultureInfo.InvariantCulture), cancellationToken);

            default:
                return TaskResult.Failed($"unknown script '{verb[0]}'");
        }
    }

    private async Task<TaskResult> StepAsync(TaskContext context, int steps, CancellationToken cancellationToken)
    {
        var from = int.Parse(context.Checkpoint ?? "0", CultureInfo.InvariantCulture);
        _logger.LogInformation("Task {TaskId} attempt {Attempt} on {WorkerId} starts at step {Step}", context.TaskId, context.Attempt, context.WorkerId, from);
        var step = from;
        try
        {
            for (; step < steps; step++)
            {
                await Task.Delay(_clock.Step, cancellationToken);
                context.ReportProgress((step + 1.0) / steps, $"step {step + 1} of {steps}");
                if ((step + 1) % 5 == 0)
                {
                    await context.SaveCheckpointAsync((step + 1).ToString(CultureInfo.InvariantCulture), cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (context.StopReason == StopReason.Preempted)
        {
            _logger.LogInformation("Task {TaskId} attempt {Attempt} pauses at step {Step}", context.TaskId, context.Attempt, step);
            return TaskResult.Paused(step.ToString(CultureInfo.InvariantCulture));
        }

        return TaskResult.Completed($"steps {from} to {steps} on {context.WorkerId}");
    }
}
