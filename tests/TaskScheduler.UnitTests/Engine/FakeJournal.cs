using TaskScheduler.Contracts;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Retention;
using TaskScheduler.Scheduler.Engine;

namespace TaskScheduler.UnitTests.Engine;

/// <summary>
/// A journal in memory that knows what is written and what is durable: a write is durable only after the next
/// <see cref="MakeDurable"/>. The fsync can be held (<see cref="HoldFsync"/>) or made to fail.
/// </summary>
public sealed class FakeJournal(DeliveryLog log) : IJournal, IDisposable
{
    private readonly Dictionary<Guid, TaskSnapshot> _written = [];
    private readonly Dictionary<Guid, TaskSnapshot> _durable = [];
    private readonly Dictionary<Guid, string> _payloads = [];
    private readonly ManualResetEventSlim _fsyncOpen = new(initialState: true);

    public Exception? FailWrite { get; set; }

    public Exception? FailFsync { get; set; }

    public long MaxDocumentBytes => 1 << 20;

    public TimeSpan LastCommitDuration => TimeSpan.FromMilliseconds(1);

    public TimeSpan LastFlushDuration => TimeSpan.FromMilliseconds(1);

    /// <summary>Holds every fsync until <see cref="ReleaseFsync"/>.</summary>
    public void HoldFsync() => _fsyncOpen.Reset();

    public void ReleaseFsync() => _fsyncOpen.Set();

    /// <summary>The durable state of a task, or null when no fsync covered a write of it.</summary>
    public TaskState? DurableState(Guid id)
    {
        lock (_durable)
        {
            return _durable.TryGetValue(id, out var task) ? task.State : null;
        }
    }

    public void Write(IEnumerable<TaskSnapshot> changes, IEnumerable<KeyValuePair<Guid, string>> newPayloads)
    {
        if (FailWrite is { } error)
        {
            log.Add("write failed");
            throw error;
        }

        var ids = new List<Guid>();
        lock (_durable)
        {
            foreach (var change in changes)
            {
                _written[change.Id] = change;
                ids.Add(change.Id);
            }

            foreach (var (id, payload) in newPayloads)
            {
                _payloads[id] = payload;
            }
        }

        log.Add($"write {string.Join(",", ids.Order())}");
    }

    public void Reopen() => log.Add("reopen");

    public void MakeDurable()
    {
        log.Add("fsync started");
        if (!_fsyncOpen.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("the test never released the fsync");
        }

        if (FailFsync is { } error)
        {
            log.Add("fsync failed");
            throw error;
        }

        lock (_durable)
        {
            foreach (var (id, task) in _written)
            {
                _durable[id] = task;
            }
        }

        log.Add("fsync done");
    }

    public TaskSnapshot? Find(Guid id)
    {
        lock (_durable)
        {
            return _written.GetValueOrDefault(id);
        }
    }

    public IEnumerable<TaskSnapshot> FindMany(IReadOnlyCollection<Guid> ids) => [.. ids.Select(Find).OfType<TaskSnapshot>()];

    public string? FindPayload(long sequence)
    {
        lock (_durable)
        {
            return _written.Values.FirstOrDefault(t => t.Sequence == sequence) is { } task ? _payloads.GetValueOrDefault(task.Id) : null;
        }
    }

    public IReadOnlyList<(Guid Id, long Bytes)> Oversized(IEnumerable<TaskSnapshot> changes) => [];

    public ExpirySlice Expire(RetentionPolicy policy, DateTimeOffset now, int max) => default;

    public IEnumerable<TaskSnapshot> LoadUnfinished() => [];

    public IEnumerable<TaskSnapshot> Dependents(Guid id) => [];

    public bool Delete(Guid id)
    {
        lock (_durable)
        {
            return _written.Remove(id);
        }
    }

    public long LastSequence() => 0;

    public void Dispose() => _fsyncOpen.Dispose();
}
