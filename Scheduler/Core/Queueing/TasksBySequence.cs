using System.Collections;
using TaskScheduler.Scheduler.Core.Lifecycle;

namespace TaskScheduler.Scheduler.Core.Queueing;

/// <summary>
/// Tasks in acceptance order (sequence, then id), as a B+ tree whose leaves are arrays of task references: about
/// 8 to 11 bytes a task where a <see cref="SortedSet{T}"/> node takes 72 (docs/benchmarks.md, target 5), with
/// insertion, removal and the first task in O(log n). A task's sequence and id never change, so the order cannot be
/// broken from outside. New tasks come last and the first ones are taken: a full leaf split at its end stays full,
/// and a node that falls under a quarter full takes from or merges with its neighbour. Over 400 lines because a B+
/// tree's insert, split, remove, borrow and merge keep one invariant together and are tested as one
/// (TasksBySequenceTests); split across files, no file would show the whole rule.
/// </summary>
internal sealed class TasksBySequence : IEnumerable<ScheduledTask>
{
    internal const int NodeSize = 128;
    private const int MinFill = NodeSize / 4;

    private Node _root = new Leaf();
    private int _version;

    public int Count { get; private set; }

    /// <summary>The first task in acceptance order; only for a set that is not empty.</summary>
    public ScheduledTask First
    {
        get
        {
            var node = _root;
            while (node is Branch branch)
            {
                node = branch.Children[0]!;
            }

            return node.Count > 0 ? ((Leaf)node).Items[0]! : throw new InvalidOperationException("The set is empty.");
        }
    }

    /// <summary>Adds the task; false when a task with its sequence and id is already there.</summary>
    public bool Add(ScheduledTask task)
    {
        var (added, split, splitKey) = Insert(_root, task, Key.Of(task));
        if (!added)
        {
            return false;
        }

        if (split is not null)
        {
            var root = new Branch { Count = 2 };
            root.Children[0] = _root;
            root.Children[1] = split;
            root.Keys[1] = splitKey;
            _root = root;
        }

        Count++;
        _version++;
        return true;
    }

    /// <summary>Removes the task with this one's sequence and id; false when there is none.</summary>
    public bool Remove(ScheduledTask task)
    {
        if (!Delete(_root, Key.Of(task)))
        {
            return false;
        }

        while (_root is Branch { Count: 1 } root)
        {
            _root = root.Children[0]!;
        }

        Count--;
        _version++;
        return true;
    }

    public IEnumerator<ScheduledTask> GetEnumerator()
    {
        var version = _version;
        foreach (var task in Walk())
        {
            yield return task;
            if (version != _version)
            {
                throw new InvalidOperationException("The set was changed while it was read.");
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private IEnumerable<ScheduledTask> Walk()
    {
        var path = new Stack<(Branch Branch, int Index)>();
        var node = _root;
        while (true)
        {
            while (node is Branch branch)
            {
                path.Push((branch, 0));
                node = branch.Children[0]!;
            }

            var leaf = (Leaf)node;
            for (var i = 0; i < leaf.Count; i++)
            {
                yield return leaf.Items[i]!;
            }

            while (true)
            {
                if (!path.TryPop(out var up))
                {
                    yield break;
                }

                if (up.Index + 1 < up.Branch.Count)
                {
                    path.Push((up.Branch, up.Index + 1));
                    node = up.Branch.Children[up.Index + 1]!;
                    break;
                }
            }
        }
    }

    /// <summary>Inserts below <paramref name="node"/>; a node that had to split returns its new right half and that half's lowest key.</summary>
    private static (bool Added, Node? Split, Key SplitKey) Insert(Node node, ScheduledTask task, Key key)
    {
        if (node is Leaf leaf)
        {
            var at = leaf.Find(key);
            if (at >= 0)
            {
                return (false, null, default);
            }

            at = ~at;
            if (leaf.Count < NodeSize)
            {
                leaf.InsertAt(at, task);
                return (true, null, default);
            }

            var right = new Leaf();
            if (at < NodeSize)
            {
                leaf.MoveTail(NodeSize / 2, right);
                if (at < leaf.Count)
                {
                    leaf.InsertAt(at, task);
                }
                else
                {
                    right.InsertAt(at - leaf.Count, task);
                }
            }
            else
            {
                // Appended to a full leaf: the new leaf starts with the task, the full one stays full.
                right.InsertAt(0, task);
            }

            return (true, right, Key.Of(right.Items[0]!));
        }

        var parent = (Branch)node;
        var index = parent.ChildIndex(key);
        var (added, split, splitKey) = Insert(parent.Children[index]!, task, key);
        if (split is null)
        {
            return (added, null, default);
        }

        var position = index + 1;
        if (parent.Count < NodeSize)
        {
            parent.InsertAt(position, splitKey, split);
            return (true, null, default);
        }

        var rightBranch = new Branch();
        if (position < NodeSize)
        {
            parent.MoveTail(NodeSize / 2, rightBranch);
            if (position < parent.Count)
            {
                parent.InsertAt(position, splitKey, split);
            }
            else
            {
                rightBranch.InsertAt(position - parent.Count, splitKey, split);
            }
        }
        else
        {
            rightBranch.InsertAt(0, splitKey, split);
        }

        // The right half's first key moves up: in the right half it bounds nothing.
        return (true, rightBranch, rightBranch.Keys[0]);
    }

    private static bool Delete(Node node, Key key)
    {
        if (node is Leaf leaf)
        {
            var at = leaf.Find(key);
            if (at < 0)
            {
                return false;
            }

            leaf.RemoveAt(at);
            return true;
        }

        var parent = (Branch)node;
        var index = parent.ChildIndex(key);
        if (!Delete(parent.Children[index]!, key))
        {
            return false;
        }

        if (parent.Children[index]!.Count < MinFill && parent.Count > 1)
        {
            Rebalance(parent, index > 0 ? index - 1 : index);
        }

        return true;
    }

    /// <summary>Children <paramref name="left"/> and the one after it: merged when they fit in one node, else evened out.</summary>
    private static void Rebalance(Branch parent, int left)
    {
        var a = parent.Children[left]!;
        var b = parent.Children[left + 1]!;
        var separator = parent.Keys[left + 1];
        if (a.Count + b.Count <= NodeSize)
        {
            a.Append(separator, b, 0, b.Count);
            parent.RemoveAt(left + 1);
            return;
        }

        var target = (a.Count + b.Count) / 2;
        if (a.Count < target)
        {
            var moved = target - a.Count;
            a.Append(separator, b, 0, moved);
            parent.Keys[left + 1] = b.RemoveHead(moved);
        }
        else
        {
            var moved = a.Count - target;
            parent.Keys[left + 1] = b.Prepend(separator, a, moved);
        }
    }

    /// <summary>A task's place: its sequence, then its id, which only breaks ties that do not occur.</summary>
    private readonly record struct Key(long Sequence, Guid Id) : IComparable<Key>
    {
        public static Key Of(ScheduledTask task) => new(task.Sequence, task.Id);

        public int CompareTo(Key other)
        {
            var bySequence = Sequence.CompareTo(other.Sequence);
            return bySequence != 0 ? bySequence : Id.CompareTo(other.Id);
        }
    }

    private abstract class Node
    {
        public int Count { get; set; }

        /// <summary>Appends <paramref name="count"/> entries of <paramref name="from"/> (a node of the same kind that follows this one) from its start.</summary>
        public abstract void Append(Key separator, Node from, int start, int count);

        /// <summary>Removes the first <paramref name="count"/> entries and returns the key that now bounds this node.</summary>
        public abstract Key RemoveHead(int count);

        /// <summary>Moves the last <paramref name="count"/> entries of <paramref name="from"/> (the node before) to the front; returns the new bounding key.</summary>
        public abstract Key Prepend(Key separator, Node from, int count);
    }

    private sealed class Leaf : Node
    {
        public ScheduledTask?[] Items { get; } = new ScheduledTask?[NodeSize];

        public int Find(Key key)
        {
            int low = 0, high = Count - 1;
            while (low <= high)
            {
                var middle = (low + high) >>> 1;
                var order = Key.Of(Items[middle]!).CompareTo(key);
                if (order == 0)
                {
                    return middle;
                }

                if (order < 0)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle - 1;
                }
            }

            return ~low;
        }

        public void InsertAt(int at, ScheduledTask task)
        {
            Array.Copy(Items, at, Items, at + 1, Count - at);
            Items[at] = task;
            Count++;
        }

        public void RemoveAt(int at)
        {
            Count--;
            Array.Copy(Items, at + 1, Items, at, Count - at);
            Items[Count] = null;
        }

        public void MoveTail(int keep, Leaf to)
        {
            Array.Copy(Items, keep, to.Items, 0, Count - keep);
            Array.Clear(Items, keep, Count - keep);
            to.Count = Count - keep;
            Count = keep;
        }

        public override void Append(Key separator, Node from, int start, int count)
        {
            Array.Copy(((Leaf)from).Items, start, Items, Count, count);
            Count += count;
        }

        public override Key RemoveHead(int count)
        {
            Array.Copy(Items, count, Items, 0, Count - count);
            Array.Clear(Items, Count - count, count);
            Count -= count;
            return Key.Of(Items[0]!);
        }

        public override Key Prepend(Key separator, Node from, int count)
        {
            var before = (Leaf)from;
            Array.Copy(Items, 0, Items, count, Count);
            Array.Copy(before.Items, before.Count - count, Items, 0, count);
            Array.Clear(before.Items, before.Count - count, count);
            before.Count -= count;
            Count += count;
            return Key.Of(Items[0]!);
        }
    }

    /// <summary>Children in order; <c>Keys[i]</c> (for i above 0) is at most every key under child i and above every key under child i - 1.</summary>
    private sealed class Branch : Node
    {
        public Node?[] Children { get; } = new Node?[NodeSize];

        public Key[] Keys { get; } = new Key[NodeSize];

        public int ChildIndex(Key key)
        {
            // The last child whose bound is at most the key.
            int low = 1, high = Count - 1;
            while (low <= high)
            {
                var middle = (low + high) >>> 1;
                if (Keys[middle].CompareTo(key) <= 0)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle - 1;
                }
            }

            return low - 1;
        }

        public void InsertAt(int at, Key key, Node child)
        {
            Array.Copy(Children, at, Children, at + 1, Count - at);
            Array.Copy(Keys, at, Keys, at + 1, Count - at);
            Children[at] = child;
            Keys[at] = key;
            Count++;
        }

        public void RemoveAt(int at)
        {
            Count--;
            Array.Copy(Children, at + 1, Children, at, Count - at);
            Array.Copy(Keys, at + 1, Keys, at, Count - at);
            Children[Count] = null;
        }

        public void MoveTail(int keep, Branch to)
        {
            Array.Copy(Children, keep, to.Children, 0, Count - keep);
            Array.Copy(Keys, keep, to.Keys, 0, Count - keep);
            Array.Clear(Children, keep, Count - keep);
            to.Count = Count - keep;
            Count = keep;
        }

        public override void Append(Key separator, Node from, int start, int count)
        {
            var after = (Branch)from;
            Array.Copy(after.Children, start, Children, Count, count);
            Array.Copy(after.Keys, start, Keys, Count, count);
            // The first child taken was bounded by the parent's separator, not by a key of its own branch.
            Keys[Count] = separator;
            Count += count;
        }

        public override Key RemoveHead(int count)
        {
            var bound = Keys[count];
            Array.Copy(Children, count, Children, 0, Count - count);
            Array.Copy(Keys, count, Keys, 0, Count - count);
            Array.Clear(Children, Count - count, count);
            Count -= count;
            return bound;
        }

        public override Key Prepend(Key separator, Node from, int count)
        {
            var before = (Branch)from;
            Array.Copy(Children, 0, Children, count, Count);
            Array.Copy(Keys, 0, Keys, count, Count);
            // The old first child is now bounded by the parent's separator.
            Keys[count] = separator;
            var start = before.Count - count;
            Array.Copy(before.Children, start, Children, 0, count);
            Array.Copy(before.Keys, start, Keys, 0, count);
            Array.Clear(before.Children, start, count);
            before.Count -= count;
            Count += count;
            return Keys[0];
        }
    }
}
