namespace TaskScheduler.Client.Http;

/// <summary>The body of an action on a task: why, and for a priority change the new priority.</summary>
internal sealed record TaskActionRequestBody(string? Reason, int? Priority);
