namespace TaskScheduler.Scheduler.Transport;

/// <summary>
/// The <c>Events</c> configuration section: which task events the scheduler publishes on the events exchange.
/// Each published state costs one broker message per task that reaches it (docs/configuration.md).
/// </summary>
public sealed class EventsOptions
{
    public const string Section = "Events";

    /// <summary>
    /// Task states whose events are published, separated by commas: any of pending, running, completed, failed,
    /// cancelled and rejected; <c>all</c> (the default), or <c>none</c> (or empty) for no task events at all.
    /// </summary>
    public string States { get; set; } = PublishedEvents.All;

    public PublishedEvents Published() =>
        PublishedEvents.TryParse(States, out var published, out var problem) ? published! : throw new InvalidOperationException(problem);

    public IEnumerable<string> Validate()
    {
        if (!PublishedEvents.TryParse(States, out _, out var problem))
        {
            yield return $"{Section}:States {problem}";
        }
    }
}
