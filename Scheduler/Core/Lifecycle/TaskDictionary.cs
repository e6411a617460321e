using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace TaskScheduler.Scheduler.Core.Lifecycle;

/// <summary>
/// The unfinished tasks by id, for up to millions of them (docs/benchmarks.md, target 5): an open-addressing table of
/// task references, the id being the task's own, so a task costs 11 to 21 bytes where a <see cref="Dictionary{TKey,TValue}"/>
/// entry and bucket take 36 to 72. Linear probing, at most three quarters full; a removal shifts the entries after it
/// back, so no tombstone is left, and the table halves once it is less than an eighth full.
/// </summary>
public sealed class TaskDictionary : IReadOnlyDictionary<Guid, ScheduledTask>
{
    private const int MinCapacity = 16;

    private ScheduledTask?[] _slots = new ScheduledTask?[MinCapacity];
    private int _shift = 64 - BitOperations.Log2(MinCapacity);
    private int _version;

    public int Count { get; private set; }

    public ScheduledTask this[Guid key]
    {
        get => TryGetValue(key, out var task) ? task : throw new KeyNotFoundException($"No unfinished task {key}.");
        set
        {
            Check(key, value);
            var at = Find(key);
            if (at >= 0)
            {
                _slots[at] = value;
                _version++;
            }
            else
            {
                Insert(value);
            }
        }
    }

    public IEnumerable<Guid> Keys => this.Select(pair => pair.Key);

    public IEnumerable<ScheduledTask> Values => this.Select(pair => pair.Value);

    /// <summary>Adds a task under its own id; an id already held is an error, as for a dictionary.</summary>
    public void Add(Guid key, ScheduledTask task)
    {
        Check(key, task);
        if (Find(key) >= 0)
        {
            throw new ArgumentException($"Task {key} is already held.", nameof(key));
        }

        Insert(task);
    }

    public bool Remove(Guid key)
    {
        var at = Find(key);
        if (at < 0)
        {
            return false;
        }

        // Backward shift: each entry after the hole that may sit in it (its home is not between the hole and it) moves up.
        var mask = _slots.Length - 1;
        var hole = at;
        for (var next = (hole + 1) & mask; _slots[next] is { } moving; next = (next + 1) & mask)
        {
            var home = Home(moving.Id);
            var stays = hole <= next ? hole < home && home <= next : hole < home || home <= next;
            if (!stays)
            {
                _slots[hole] = moving;
                hole = next;
            }
        }

        _slots[hole] = null;
        Count--;
        _version++;
        if (_slots.Length > MinCapacity && Count < _slots.Length / 8)
        {
            Resize(_slots.Length / 2);
        }

        return true;
    }

    public bool ContainsKey(Guid key) => Find(key) >= 0;

    public bool TryGetValue(Guid key, [MaybeNullWhen(false)] out ScheduledTask value)
    {
        var at = Find(key);
        value = at >= 0 ? _slots[at] : null;
        return at >= 0;
    }

    public IEnumerator<KeyValuePair<Guid, ScheduledTask>> GetEnumerator()
    {
        var version = _version;
        var slots = _slots;
        foreach (var task in slots)
        {
            if (task is not null)
            {
                yield return KeyValuePair.Create(task.Id, task);
                if (version != _version)
                {
                    throw new InvalidOperationException("The dictionary was changed while it was read.");
                }
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static void Check(Guid key, ScheduledTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.Id != key)
        {
            throw new ArgumentException($"Task {task.Id} is held under its own id, not {key}.", nameof(key));
        }
    }

    // Fibonacci hashing of the id's hash: the top bits of the product spread ids that differ in few bits.
    private int Home(Guid id) => (int)((ulong)(uint)id.GetHashCode() * 0x9E3779B97F4A7C15UL >> _shift);

    private int Find(Guid key)
    {
        var mask = _slots.Length - 1;
        for (var at = Home(key); _slots[at] is { } task; at = (at + 1) & mask)
        {
            if (task.Id == key)
            {
                return at;
            }
        }

        return -1;
    }

    private void Insert(ScheduledTask task)
    {
        if ((Count + 1) * 4L > _slots.Length * 3L)
        {
            Resize(_slots.Length * 2);
        }

        Place(_slots, task);
        Count++;
        _version++;
    }

    private void Place(ScheduledTask?[] slots, ScheduledTask task)
    {
        var mask = slots.Length - 1;
        var at = Home(task.Id);
        while (slots[at] is not null)
        {
            at = (at + 1) & mask;
        }

        slots[at] = task;
    }

    private void Resize(int capacity)
    {
        var old = _slots;
        _slots = new ScheduledTask?[capacity];
        _shift = 64 - BitOperations.Log2((uint)capacity);
        foreach (var task in old)
        {
            if (task is not null)
            {
                Place(_slots, task);
            }
        }
    }
}
