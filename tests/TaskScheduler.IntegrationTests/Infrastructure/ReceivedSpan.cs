namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>One span as an OpenTelemetry collector received it; ids in lower-case hex, as trace viewers show them.</summary>
public sealed record ReceivedSpan(
    string Service,
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    IReadOnlyDictionary<string, string> Attributes);
