using System.Text;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>
/// Submissions that are valid JSON but must be refused whole: graphs with cycles of any length, unknown
/// dependencies, duplicate ids, more tasks than a graph may hold, and JSON too deep or too wide to be a submission.
/// </summary>
public static class HostileGraphs
{
    /// <summary>A graph whose <paramref name="length"/> tasks each depend on the next, the last on the first.</summary>
    public static byte[] Cycle(int length)
    {
        var ids = Enumerable.Range(0, length).Select(_ => Guid.NewGuid()).ToArray();
        return Graph(ids.Select((id, i) => Task(id, ids[(i + 1) % length])));
    }

    /// <summary>A chain of <paramref name="length"/> tasks, valid but for its size when it exceeds Scheduler:MaxGraphTasks.</summary>
    public static byte[] Chain(int length)
    {
        var ids = Enumerable.Range(0, length).Select(_ => Guid.NewGuid()).ToArray();
        return Graph(ids.Select((id, i) => i == 0 ? Task(id) : Task(id, ids[i - 1])));
    }

    public static byte[] UnknownDependency() => Graph([Task(Guid.NewGuid()), Task(Guid.NewGuid(), Guid.NewGuid())]);

    public static byte[] DuplicateIds()
    {
        var id = Guid.NewGuid();
        return Graph([Task(id), Task(Guid.NewGuid(), id), Task(id)]);
    }

    /// <summary>A task whose one extra field nests <paramref name="depth"/> arrays deep.</summary>
    public static byte[] DeeplyNested(int depth) =>
        Encoding.UTF8.GetBytes($"{{\"id\":\"{Guid.NewGuid()}\",\"payload\":\"x\",\"extra\":{new string('[', depth)}{new string(']', depth)}}}");

    /// <summary>A task object with <paramref name="fields"/> unknown fields and no payload.</summary>
    public static byte[] VeryWide(int fields)
    {
        var builder = new StringBuilder($"{{\"id\":\"{Guid.NewGuid()}\"");
        for (var i = 0; i < fields; i++)
        {
            builder.Append(",\"f").Append(i).Append("\":").Append(i);
        }

        return Encoding.UTF8.GetBytes(builder.Append('}').ToString());
    }

    private static string Task(Guid id, params Guid[] dependsOn) =>
        dependsOn.Length == 0
            ? $"{{\"id\":\"{id}\",\"payload\":\"x\"}}"
            : $"{{\"id\":\"{id}\",\"payload\":\"x\",\"dependsOn\":[{string.Join(',', dependsOn.Select(d => $"\"{d}\""))}]}}";

    private static byte[] Graph(IEnumerable<string> tasks) => Encoding.UTF8.GetBytes($"[{string.Join(',', tasks)}]");
}
