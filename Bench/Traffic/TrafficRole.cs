namespace TaskScheduler.Bench.Traffic;

/// <summary>
/// Which part of a system a broker connection is, from the name it gives the broker: <c>{prefix} scheduler</c>,
/// <c>{prefix} worker {id}</c>, and the bench's own producer, <c>{prefix} bench</c>. Any other name is another
/// system's (or a person's console) and is not counted.
/// </summary>
public static class TrafficRole
{
    public const string Scheduler = "scheduler";
    public const string Workers = "workers";
    public const string Producer = "producer";

    /// <summary>The name the bench's producer connection gives the broker.</summary>
    public static string ProducerConnectionName(string prefix) => $"{prefix} bench";

    public static string? Of(string? connectionName, string prefix)
    {
        if (connectionName is null || !connectionName.StartsWith(prefix + " ", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = connectionName[(prefix.Length + 1)..];
        return rest switch
        {
            "scheduler" => Scheduler,
            "bench" => Producer,
            _ when rest.StartsWith("worker ", StringComparison.Ordinal) => Workers,
            _ => null,
        };
    }
}
