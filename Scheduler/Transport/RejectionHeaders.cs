using System.Collections;
using System.Globalization;
using System.Text;
using RabbitMQ.Client;
using TaskScheduler.Contracts;

namespace TaskScheduler.Scheduler.Transport;

/// <summary>
/// The headers of a refused message's rejected copy: its own headers as long as they fit in
/// <see cref="Limits.MaxCopiedHeaderBytes"/> (AMQP-encoded), the ones that do not dropped and counted, and the
/// reason, cut to <see cref="Limits.MaxReasonChars"/>. A header frame larger than the broker's frame limit makes
/// the broker close the connection, and the refused message would come back for ever.
/// </summary>
internal static class RejectionHeaders
{
    public const string DroppedHeader = "x-reject-dropped-headers";

    public static Dictionary<string, object?> For(IDictionary<string, object?>? original, string reason)
    {
        var headers = new Dictionary<string, object?>(StringComparer.Ordinal);
        long budget = Limits.MaxCopiedHeaderBytes;
        var dropped = 0;
        foreach (var (key, value) in original ?? new Dictionary<string, object?>())
        {
            if (key is Topology.RejectReasonHeader or DroppedHeader)
            {
                continue;
            }

            var size = SizeOf(key, value);
            if (size > budget)
            {
                dropped++;
                continue;
            }

            budget -= size;
            headers[key] = value;
        }

        if (dropped > 0)
        {
            headers[DroppedHeader] = dropped.ToString(CultureInfo.InvariantCulture) + " headers too large to copy";
        }

        headers[Topology.RejectReasonHeader] = BoundedText.Truncate(reason, Limits.MaxReasonChars);
        return headers;
    }

    /// <summary>The bytes a header takes in an AMQP field table: its name, a type octet and its value.</summary>
    public static long SizeOf(string key, object? value) => NameSize(key) + SizeOf(value, depth: 0);

    // Nesting deeper than a producer has any use for counts as too large (and keeps the walk short).
    private static long SizeOf(object? value, int depth) => depth > 8 ? int.MaxValue : value switch
    {
        null => 1,
        byte[] bytes => 5 + bytes.Length,
        ReadOnlyMemory<byte> memory => 5 + memory.Length,
        string text => 5 + Encoding.UTF8.GetByteCount(text),
        IDictionary<string, object?> table => 5 + table.Sum(p => NameSize(p.Key) + SizeOf(p.Value, depth + 1)),
        IDictionary table => 5 + table.Keys.Cast<object>().Sum(k => 1 + SizeOf(k, depth + 1) + SizeOf(table[k], depth + 1)),
        IEnumerable list => 5 + list.Cast<object?>().Sum(v => SizeOf(v, depth + 1)),
        AmqpTimestamp => 9,
        _ => 9,
    };

    private static long NameSize(string key) => 1 + Encoding.UTF8.GetByteCount(key);
}
