using System.Diagnostics;
using TaskScheduler.Contracts.Observability;

namespace TaskScheduler.Scheduler.Http;

/// <summary>The W3C trace context an HTTP caller sent, so a task submitted over HTTP joins the caller's trace.</summary>
public static class CallerTrace
{
    public static ActivityContext? From(HttpRequest request) =>
        TraceHeaders.Parse(request.Headers[TraceHeaders.TraceParent].ToString(), request.Headers[TraceHeaders.TraceState].ToString());
}
