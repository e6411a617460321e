using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.IntegrationTests;

/// <summary>Makes test tasks with distinct payloads.</summary>
internal static class Tasks
{
    public static SubmitTask New(int priority = 0, string? payload = null) =>
        new(Guid.NewGuid(), payload ?? $"job {Guid.NewGuid():N}", priority);

    public static List<SubmitTask> Many(int count, Func<int, int> priority) =>
        [.. Enumerable.Range(0, count).Select(i => New(priority(i), $"job {i} {Guid.NewGuid():N}"))];
}
