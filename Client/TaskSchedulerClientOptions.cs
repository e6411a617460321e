using TaskScheduler.Broker;

namespace TaskScheduler.Client;

/// <summary>
/// The client's settings, bound from the <c>TaskScheduler</c> section:
/// <c>{"TaskScheduler": {"Broker": {"Url": "amqp://…", "Prefix": "tasks"}, "SchedulerUrl": "http://…:5080"}}</c>
/// (or <c>"SchedulerUrls": ["http://a:5080", "http://b:5080"]</c> for several).
/// </summary>
public sealed class TaskSchedulerClientOptions
{
    public const string Section = "TaskScheduler";

    /// <summary>The broker and topology prefix of the system, as its scheduler and workers have them.</summary>
    public BrokerOptions Broker { get; set; } = new();

    /// <summary>The scheduler's HTTP API: status, results too large for an event, cancellation.</summary>
    public Uri SchedulerUrl { get; set; } = new("http://127.0.0.1:5080");

    /// <summary>
    /// Several addresses of the API, tried in order (<see cref="SchedulerEndpoints"/>): the replicas of a deployment
    /// that runs more than one scheduler. When set, <see cref="SchedulerUrl"/> is not used.
    /// </summary>
    public IList<Uri> SchedulerUrls { get; set; } = [];

    /// <summary>The addresses the client uses: <see cref="SchedulerUrls"/>, or else <see cref="SchedulerUrl"/>.</summary>
    public IReadOnlyList<Uri> Endpoints => SchedulerUrls is { Count: > 0 } urls ? [.. urls] : [SchedulerUrl];

    /// <summary>The scheduler's API key (<c>Api:Key</c>), when it asks for one to cancel.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// How often a wait or a watch asks the scheduler about its task besides listening to its events, so that a
    /// missed event (a connection lost and recovered) delays the answer by at most this long.
    /// </summary>
    public TimeSpan StatusPollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The default of <see cref="UnknownTaskGrace"/>.</summary>
    public static readonly TimeSpan DefaultUnknownTaskGrace = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a wait or a watch of a task not submitted by that call gives a task the scheduler does not know to
    /// arrive (it may still be on its way through the broker) before it throws <see cref="TaskNotFoundException"/>.
    /// </summary>
    public TimeSpan UnknownTaskGrace { get; set; } = DefaultUnknownTaskGrace;

    /// <summary>Publishes of <c>SubmitManyAsync</c> (tasks) or <c>SubmitInBatchesAsync</c> (batches) awaiting the broker's confirm at once.</summary>
    public int PublishWindow { get; set; } = 256;

    /// <summary>The name the broker shows for the connection.</summary>
    public string ConnectionName { get; set; } = "TaskScheduler.Client";

    /// <summary>Returns the problems with these settings, each naming its key; empty when they are usable.</summary>
    public IEnumerable<string> Validate()
    {
        foreach (var problem in (Broker ?? new BrokerOptions()).Validate())
        {
            yield return $"{Section}:{problem}";
        }

        if (!SchedulerEndpoints.IsHttp(SchedulerUrl))
        {
            yield return $"{Section}:SchedulerUrl must be an absolute http:// or https:// URL, not '{SchedulerUrl}'";
        }

        foreach (var url in SchedulerUrls ?? [])
        {
            if (!SchedulerEndpoints.IsHttp(url))
            {
                yield return $"{Section}:SchedulerUrls must hold absolute http:// or https:// URLs, not '{url}'";
            }
        }

        if (StatusPollInterval <= TimeSpan.Zero)
        {
            yield return $"{Section}:StatusPollInterval must be positive, not {StatusPollInterval}";
        }

        if (UnknownTaskGrace < TimeSpan.Zero)
        {
            yield return $"{Section}:UnknownTaskGrace must not be negative, not {UnknownTaskGrace}";
        }

        if (PublishWindow is < 1 or > 65_535)
        {
            yield return $"{Section}:PublishWindow must be between 1 and 65535, not {PublishWindow}";
        }
    }
}
