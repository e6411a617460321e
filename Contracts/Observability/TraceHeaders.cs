using System.Diagnostics;
using System.Text;

namespace TaskScheduler.Contracts.Observability;

/// <summary>
/// W3C trace context in AMQP message headers (<c>traceparent</c>, <c>tracestate</c>), so that one task's spans in
/// the scheduler and on a worker join up in one trace, and producers that trace see their task under their span.
/// </summary>
public static class TraceHeaders
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    /// <summary>Writes the activity's context into <paramref name="headers"/>; nothing when there is no activity.</summary>
    public static void Inject(Activity? activity, IDictionary<string, object?> headers)
    {
        if (activity is null || activity.IdFormat != ActivityIdFormat.W3C || activity.Id is null)
        {
            return;
        }

        headers[TraceParent] = activity.Id;
        if (!string.IsNullOrEmpty(activity.TraceStateString))
        {
            headers[TraceState] = activity.TraceStateString;
        }
    }

    /// <summary>Reads a remote parent context; null when the message carries none or a malformed one.</summary>
    public static ActivityContext? Extract(IDictionary<string, object?>? headers) =>
        headers is null ? null : Parse(Text(headers, TraceParent), Text(headers, TraceState));

    /// <summary>Reads a remote parent context from a <c>traceparent</c> and <c>tracestate</c> pair; null when absent or malformed.</summary>
    public static ActivityContext? Parse(string? traceParent, string? traceState) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context) ? context : null;

    // RabbitMQ.Client hands string headers back as UTF-8 bytes.
    private static string? Text(IDictionary<string, object?> headers, string key) =>
        headers.TryGetValue(key, out var value)
            ? value switch
            {
                string s => s,
                byte[] b => Encoding.UTF8.GetString(b),
                _ => null,
            }
            : null;
}
