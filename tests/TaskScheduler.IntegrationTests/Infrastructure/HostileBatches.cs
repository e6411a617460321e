using System.Text;
using TaskScheduler.Contracts;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>
/// Batch submissions (<c>{"tasks":[…]}</c>) that are hostile by their size or their values: some must be refused
/// whole, others hold tasks that must each be refused on their own beside valid ones.
/// </summary>
public static class HostileBatches
{
    /// <summary>Bodies that cannot be a batch: each is refused whole, one rejected copy, no task run.</summary>
    public static List<(string Kind, byte[] Body)> RefusedWhole() =>
    [
        ("200,000 numbers as tasks (a huge count)", Utf8($"{{\"tasks\":[{string.Join(',', Enumerable.Repeat("0", 200_000))}]}}")),
        ("1,001 valid tasks (over Scheduler:MaxBatchTasks)", Utf8($"{{\"tasks\":[{string.Join(',', Enumerable.Range(0, Limits.DefaultMaxBatchTasks + 1).Select(_ => Valid()))}]}}")),
        ("a task nested 100,000 deep", Utf8($"{{\"tasks\":[{Encoding.UTF8.GetString(HostileGraphs.DeeplyNested(100_000))}]}}")),
        ("tasks as a string", Utf8("{\"tasks\":\"all of them\"}")),
        ("tasks as an object", Utf8($"{{\"tasks\":{Valid()}}}")),
        ("a graph's array sent as a batch", Utf8($"[{Valid()}]")),
        ("no tasks field, 100,000 others", HostileGraphs.VeryWide(100_000)),
        ("tasks twice", Utf8($"{{\"tasks\":[{Valid()}],\"Tasks\":[{Valid()}]}}")),
        ("random bytes", [0xFF, 0x00, 0xC3, 0x28, 0x7B]),
    ];

    /// <summary>
    /// Elements of a batch that are each refused on their own, as JSON text; <paramref name="taken"/> is the id of a
    /// valid task earlier in the same batch, which one of them names with other content.
    /// </summary>
    public static List<(string Kind, string Json)> BadTasks(Guid taken) =>
        [
            ("null", "null"),
            ("a number", "42"),
            ("a string", "\"run me\""),
            ("an empty array", "[]"),
            ("id as a number", "{\"id\":5,\"payload\":\"x\"}"),
            ("payload as nested junk", $"{{\"id\":\"{Guid.NewGuid()}\",\"payload\":{{\"a\":[[[[{{\"b\":null}}]]]]}}}}"),
            ("priority beyond 64 bits", $"{{\"id\":\"{Guid.NewGuid()}\",\"payload\":\"x\",\"priority\":1e400}}"),
            ("a field twice", $"{{\"id\":\"{Guid.NewGuid()}\",\"payload\":\"x\",\"PAYLOAD\":\"y\"}}"),
            ("runAt and delay", $"{{\"id\":\"{Guid.NewGuid()}\",\"payload\":\"x\",\"runAt\":\"2030-01-01T00:00:00Z\",\"delay\":\"PT1S\"}}"),
            ("an unknown dependency", $"{{\"id\":\"{Guid.NewGuid()}\",\"payload\":\"x\",\"dependsOn\":[\"{Guid.NewGuid()}\"]}}"),
            ("an id of an earlier task of the batch, with other content", $"{{\"id\":\"{taken}\",\"payload\":\"other content\"}}"),
        ];

    private static string Valid() => $"{{\"id\":\"{Guid.NewGuid()}\",\"payload\":\"x\"}}";

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
