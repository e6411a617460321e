using TaskScheduler.Contracts;

namespace TaskScheduler.Scheduler.Transport;

/// <summary>
/// Which task events the scheduler publishes (<see cref="EventsOptions.States"/>): a set of task states and whether
/// rejections are announced. Worker events and everything the scheduler itself needs are not affected.
/// </summary>
public sealed class PublishedEvents
{
    public const string All = "all";
    public const string None = "none";

    private static readonly string[] Names =
        [.. Enum.GetValues<TaskState>().Select(s => s.ToWireName()), Topology.RejectedKind];

    private readonly HashSet<string> _names;

    private PublishedEvents(IEnumerable<string> names) => _names = [.. names];

    public static PublishedEvents Everything { get; } = new(Names);

    public bool Publishes(TaskState state) => _names.Contains(state.ToWireName());

    public bool PublishesRejections => _names.Contains(Topology.RejectedKind);

    /// <summary>True when every final state is published, so a client waiting for a task hears its end.</summary>
    public bool PublishesEnds => Enum.GetValues<TaskState>().Where(s => s.IsFinal()).All(Publishes) && PublishesRejections;

    /// <summary>The states published, in the order of <see cref="Names"/>; "none" when there are none.</summary>
    public override string ToString() => _names.Count == 0 ? None : string.Join(',', Names.Where(_names.Contains));

    public static bool TryParse(string? text, out PublishedEvents? events, out string? problem)
    {
        events = null;
        problem = null;
        var items = (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(i => i.ToLowerInvariant()).ToList();
        if (items is [All])
        {
            events = Everything;
            return true;
        }

        if (items is [] or [None])
        {
            events = new PublishedEvents([]);
            return true;
        }

        if (items.FirstOrDefault(i => !Names.Contains(i)) is { } unknown)
        {
            problem = $"lists '{unknown}', which is no task event: give some of {string.Join(", ", Names)} separated by commas, or {All}, or {None}";
            return false;
        }

        events = new PublishedEvents(items);
        return true;
    }
}
