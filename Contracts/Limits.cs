namespace TaskScheduler.Contracts;

public static class Limits
{
    /// <summary>A payload is at most 1 MiB once encoded as UTF-8.</summary>
    public const int MaxPayloadBytes = 1024 * 1024;

    /// <summary>No worker runs more than this many tasks at once.</summary>
    public const int MaxWorkerCapacity = 10;

    /// <summary>Worker ids become queue names, so they are short and plain.</summary>
    public const int MaxWorkerIdLength = 64;

    public static bool IsValidWorkerId(string? id) =>
        !string.IsNullOrEmpty(id)
        && id.Length <= MaxWorkerIdLength
        && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
