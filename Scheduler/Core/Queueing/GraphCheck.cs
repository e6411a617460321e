using System.Globalization;
using TaskScheduler.Contracts;

namespace TaskScheduler.Scheduler.Core.Queueing;

/// <summary>
/// Checks the new tasks of one submission against each other: a dependency on oneself or a cycle among them makes
/// the whole submission invalid. (A cycle through tasks accepted earlier cannot exist: those depend only on tasks
/// that existed before them.)
/// </summary>
public static class GraphCheck
{
    /// <summary>Returns the new tasks in an order where each comes after its dependencies among them, or a cycle.</summary>
    public static bool TryOrder(IReadOnlyList<ParsedSubmission> tasks, out List<ParsedSubmission> ordered, out string? cycle)
    {
        var byId = new Dictionary<Guid, ParsedSubmission>(tasks.Count);
        foreach (var task in tasks)
        {
            byId[task.Id] = task;
        }

        // Kahn's algorithm over the edges inside this submission: linear in tasks plus dependencies.
        var waitingOn = new Dictionary<Guid, int>(tasks.Count);
        var dependents = new Dictionary<Guid, List<ParsedSubmission>>();
        foreach (var task in tasks)
        {
            var count = 0;
            foreach (var dependency in task.DependsOn)
            {
                if (!byId.ContainsKey(dependency))
                {
                    continue;
                }

                count++;
                if (!dependents.TryGetValue(dependency, out var list))
                {
                    list = [];
                    dependents.Add(dependency, list);
                }

                list.Add(task);
            }

            waitingOn[task.Id] = count;
        }

        ordered = new List<ParsedSubmission>(tasks.Count);
        var ready = new Queue<ParsedSubmission>(tasks.Where(t => waitingOn[t.Id] == 0));
        while (ready.TryDequeue(out var task))
        {
            ordered.Add(task);
            if (!dependents.TryGetValue(task.Id, out var list))
            {
                continue;
            }

            foreach (var dependent in list)
            {
                if (--waitingOn[dependent.Id] == 0)
                {
                    ready.Enqueue(dependent);
                }
            }
        }

        if (ordered.Count == tasks.Count)
        {
            cycle = null;
            return true;
        }

        cycle = DescribeCycle(byId, waitingOn);
        return false;
    }

    /// <summary>Walks from a task left over by Kahn's algorithm until a task repeats: that loop is a cycle.</summary>
    private static string DescribeCycle(Dictionary<Guid, ParsedSubmission> byId, Dictionary<Guid, int> waitingOn)
    {
        var current = waitingOn.First(p => p.Value > 0).Key;
        var path = new List<Guid>();
        var seenAt = new Dictionary<Guid, int>();
        while (!seenAt.ContainsKey(current))
        {
            seenAt[current] = path.Count;
            path.Add(current);
            current = byId[current].DependsOn.First(d => byId.ContainsKey(d) && waitingOn[d] > 0);
        }

        var loop = path.Skip(seenAt[current]).ToList();
        if (loop.Count == 1)
        {
            return $"task {loop[0]} depends on itself";
        }

        // A reason goes into a header and into one event per task: a cycle of thousands is named by its start.
        if (loop.Count <= Limits.MaxNamedIds)
        {
            return $"dependency cycle: {string.Join(" depends on ", loop.Append(loop[0]))}";
        }

        var count = loop.Count.ToString("N0", CultureInfo.InvariantCulture);
        return $"dependency cycle: {string.Join(" depends on ", loop.Take(Limits.MaxNamedIds))} depends on … ({count} tasks in the cycle)";
    }
}
