using TaskScheduler.Worker.Hosting;
using TaskScheduler.Worker.Handlers;

// Settings (Broker:Url, Broker:Prefix, Worker:Capacity...) come from appsettings.json, the environment or arguments.
var builder = Host.CreateApplicationBuilder(args);
builder.AddTaskWorker<UpperCase>();
await builder.Build().RunAsync();

/// <summary>Upper-cases the payload line by line. One instance per attempt, from dependency injection.</summary>
internal sealed class UpperCase(ILogger<UpperCase> logger) : ITaskHandler
{
    public async Task<TaskResult> RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var lines = context.Payload.Split('\n');
        List<string> done = context.Checkpoint is { Length: > 0 } saved ? [.. saved.Split('\n')] : [];
        logger.LogInformation("Task {TaskId} attempt {Attempt} starts at line {Line}", context.TaskId, context.Attempt, done.Count + 1);
        try
        {
            for (var i = done.Count; i < lines.Length; i++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken); // the real work goes here
                done.Add(lines[i].ToUpperInvariant());
                context.ReportProgress((i + 1.0) / lines.Length, $"line {i + 1} of {lines.Length}");
            }
        }
        catch (OperationCanceledException) when (context.StopReason == StopReason.Preempted)
        {
            return TaskResult.Paused(string.Join('\n', done)); // the next attempt, on any worker, resumes from here
        }

        return TaskResult.Completed(string.Join('\n', done));
    }
}
