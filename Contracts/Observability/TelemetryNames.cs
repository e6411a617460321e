namespace TaskScheduler.Contracts.Observability;

/// <summary>Names under which the programs publish spans, metrics and log scopes, shared so they cannot drift.</summary>
public static class TelemetryNames
{
    /// <summary>ActivitySource and Meter of the scheduler.</summary>
    public const string Scheduler = "TaskScheduler.Scheduler";

    /// <summary>ActivitySource of the workers.</summary>
    public const string Worker = "TaskScheduler.Worker";

    /// <summary>ActivitySource of the <c>tasks</c> command.</summary>
    public const string Cli = "TaskScheduler.Cli";

    /// <summary>
    /// Histogram of the scheduler's stages (tag <c>stage</c>); Prometheus calls it
    /// <see cref="StageDurationPrometheus"/>, which <c>tasks bench</c> reads.
    /// </summary>
    public const string StageDuration = "taskscheduler.stage.duration";

    public const string StageDurationPrometheus = "taskscheduler_stage_duration_seconds";

    /// <summary>Span attribute and log scope key: the task's UUID.</summary>
    public const string TaskId = "task.id";

    public const string TaskAttempt = "task.attempt";

    public const string TaskPriority = "task.priority";

    public const string WorkerId = "worker.id";

    /// <summary>Environment variable that switches the OTLP exporter on (the standard OpenTelemetry one).</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
}
