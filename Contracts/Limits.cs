namespace TaskScheduler.Contracts;

public static class Limits
{
    /// <summary>A payload is at most 1 MiB once encoded as UTF-8.</summary>
    public const int MaxPayloadBytes = 1024 * 1024;

    /// <summary>A task's result is at most 1 MiB once encoded as UTF-8, like a payload.</summary>
    public const int MaxResultBytes = 1024 * 1024;

    /// <summary>A checkpoint is at most 1 MiB once encoded as UTF-8.</summary>
    public const int MaxCheckpointBytes = 1024 * 1024;

    /// <summary>A final task event carries the result itself up to this size; a larger one is fetched on demand.</summary>
    public const int MaxEventResultBytes = 64 * 1024;

    /// <summary>A progress report's message is cut to this many characters.</summary>
    public const int MaxProgressMessageLength = 200;

    /// <summary>No worker runs more than this many tasks at once.</summary>
    public const int MaxWorkerCapacity = 10;

    /// <summary>Worker ids become queue names, so they are short and plain.</summary>
    public const int MaxWorkerIdLength = 64;

    public static bool IsValidWorkerId(string? id) =>
        !string.IsNullOrEmpty(id)
        && id.Length <= MaxWorkerIdLength
        && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
