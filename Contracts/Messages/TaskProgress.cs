namespace TaskScheduler.Contracts.Messages;

/// <summary>
/// How far a running attempt says it is: a fraction from 0 to 1 and a short message (at most
/// <see cref="Limits.MaxProgressMessageLength"/> characters), as its handler last reported it, by the worker's clock.
/// </summary>
public sealed record TaskProgress(double Fraction, string? Message, DateTimeOffset At);
