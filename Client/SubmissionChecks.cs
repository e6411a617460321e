using System.Text;
using System.Text.Json;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Client;

/// <summary>What the client refuses before it sends anything: a task the scheduler would reject, a batch too large.</summary>
internal static class SubmissionChecks
{
    /// <summary>A batch's message, its tasks checked as one by one, its size as the scheduler's defaults bound it.</summary>
    public static byte[] BatchBody(IReadOnlyCollection<SubmitTask> tasks)
    {
        if (tasks.Count is 0 or > Limits.DefaultMaxBatchTasks)
        {
            throw new ArgumentException($"a batch holds 1 to {Limits.DefaultMaxBatchTasks} tasks, not {tasks.Count}", nameof(tasks));
        }

        foreach (var task in tasks)
        {
            Check(task);
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(new SubmitTasks([.. tasks]), WireJson.Default.SubmitTasks);
        return body.Length <= Limits.MaxSubmissionBytes ? body
            : throw new ArgumentException($"the batch is {body.Length} bytes; a submission is at most {Limits.MaxSubmissionBytes}: send fewer tasks to a batch", nameof(tasks));
    }

    public static void Check(SubmitTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.Id.Version != 4)
        {
            throw new ArgumentException($"a task's id is a version-4 UUID (Guid.NewGuid()), not {task.Id}", nameof(task));
        }

        ArgumentNullException.ThrowIfNull(task.Payload, nameof(task));
        if (Encoding.UTF8.GetByteCount(task.Payload) > Limits.MaxPayloadBytes)
        {
            throw new ArgumentException($"task {task.Id}: the payload is over {Limits.MaxPayloadBytes} bytes (1 MiB) as UTF-8", nameof(task));
        }

        if (task.RunAt is not null && task.Delay is not null)
        {
            throw new ArgumentException($"task {task.Id}: give RunAt or Delay, not both", nameof(task));
        }

        if ((task.Requires is not null && TagNames.Normalize(task.Requires) is null) || (task.Group is not null && !TagNames.IsValid(task.Group)))
        {
            throw new ArgumentException(
                $"task {task.Id}: tags and group names are letters, digits and -_.: up to {TagNames.MaxLength} characters, at most {TagNames.MaxTags} tags", nameof(task));
        }
    }
}
