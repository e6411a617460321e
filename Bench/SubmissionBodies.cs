using System.Globalization;
using System.Text;
using TaskScheduler.Contracts;

namespace TaskScheduler.Bench;

/// <summary>
/// Builds the bench's submission messages: the same JSON a producer sends, with a payload of the requested size
/// (a run time hint, if asked for, then filler). Bodies are assembled from pre-encoded pieces, so a 1 MiB payload
/// costs one copy per task rather than a serialisation.
/// </summary>
public sealed class SubmissionBodies
{
    private static readonly byte[] Start = Encoding.ASCII.GetBytes("{\"id\":\"");
    private static readonly byte[] AfterId = Encoding.ASCII.GetBytes("\",\"payload\":\"");
    private static readonly byte[] BatchStart = Encoding.ASCII.GetBytes("{\"tasks\":[");
    private static readonly byte[] AfterPayload = Encoding.ASCII.GetBytes("\",\"priority\":");

    private readonly int _payloadBytes;
    private readonly RunTimeRange? _runTime;
    private readonly byte[]? _fixedPayload;
    private readonly Random _random = new(4242);

    public SubmissionBodies(int payloadBytes, RunTimeRange? runTime)
    {
        _payloadBytes = payloadBytes;
        _runTime = runTime;
        if (runTime is null || runTime.IsFixed)
        {
            _fixedPayload = Payload(runTime is null ? null : RunTimeHint.Format(runTime.Min));
        }
    }

    /// <summary>Size of a typical message, for measuring the broker with the same.</summary>
    public int TypicalMessageBytes => Build(Guid.Empty, 0).Length;

    public byte[] Build(Guid id, int priority, string? group = null)
    {
        var groupField = group is null ? [] : Encoding.ASCII.GetBytes($",\"group\":\"{group}\"");
        var payload = _fixedPayload ?? Payload(RunTimeHint.Format(_runTime!.Draw(_random)));
        Span<byte> priorityText = stackalloc byte[11];
        priority.TryFormat(priorityText, out var priorityLength, provider: CultureInfo.InvariantCulture);

        var body = new byte[Start.Length + 36 + AfterId.Length + payload.Length + AfterPayload.Length + priorityLength + groupField.Length + 1];
        var at = 0;
        Append(body, ref at, Start);
        id.TryFormat(body.AsSpan(at, 36), out _, "D");
        at += 36;
        Append(body, ref at, AfterId);
        Append(body, ref at, payload);
        Append(body, ref at, AfterPayload);
        Append(body, ref at, priorityText[..priorityLength]);
        Append(body, ref at, groupField);
        body[at] = (byte)'}';
        return body;
    }

    /// <summary>A batch's message, <c>{"tasks":[…]}</c>, of task bodies made by <see cref="Build"/>.</summary>
    public static byte[] Batch(IEnumerable<byte[]> tasks)
    {
        var parts = tasks.ToList();
        var body = new byte[BatchStart.Length + parts.Sum(p => p.Length + 1) + 1];
        var at = 0;
        Append(body, ref at, BatchStart);
        for (var i = 0; i < parts.Count; i++)
        {
            Append(body, ref at, parts[i]);
            body[at++] = (byte)(i < parts.Count - 1 ? ',' : ']');
        }

        body[at++] = (byte)'}';
        return body.AsSpan(0, at).ToArray();
    }

    /// <summary>The hint (if any) then filler up to the requested size; plain ASCII, so it needs no JSON escaping.</summary>
    private byte[] Payload(string? hint)
    {
        var text = hint ?? "";
        var payload = new byte[Math.Max(_payloadBytes, text.Length)];
        Array.Fill(payload, (byte)'x');
        Encoding.ASCII.GetBytes(text, payload);
        return payload;
    }

    private static void Append(byte[] body, ref int at, ReadOnlySpan<byte> piece)
    {
        piece.CopyTo(body.AsSpan(at));
        at += piece.Length;
    }
}
