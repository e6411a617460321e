namespace TaskScheduler.UnitTests.Engine;

/// <summary>What the fake journal and broker saw, in the order they saw it, from any thread.</summary>
public sealed class DeliveryLog
{
    private readonly List<string> _entries = [];
    private readonly List<(Func<IReadOnlyList<string>, bool> Condition, TaskCompletionSource Seen)> _waits = [];

    public IReadOnlyList<string> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public void Add(string entry)
    {
        lock (_entries)
        {
            _entries.Add(entry);
            foreach (var wait in _waits.Where(w => w.Condition(_entries)).ToList())
            {
                _waits.Remove(wait);
                wait.Seen.TrySetResult();
            }
        }
    }

    /// <summary>Completes once an entry satisfies <paramref name="match"/>; fails the test after a generous timeout.</summary>
    public Task WaitFor(Func<string, bool> match, string what) => WaitUntil(entries => entries.Any(match), what);

    public async Task WaitUntil(Func<IReadOnlyList<string>, bool> condition, string what)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_entries)
        {
            if (condition(_entries))
            {
                return;
            }

            _waits.Add((condition, seen));
        }

        if (await Task.WhenAny(seen.Task, Task.Delay(TimeSpan.FromSeconds(30))) != seen.Task)
        {
            Assert.Fail($"waited 30 s for {what}; saw: {string.Join(" | ", Entries)}");
        }
    }

    public int IndexOf(string entry) => Entries.ToList().IndexOf(entry);
}
