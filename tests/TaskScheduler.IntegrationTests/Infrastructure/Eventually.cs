using System.Diagnostics;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>
/// The one way a test waits for the system: asks again every tenth of a second until the answer is the awaited one,
/// or fails naming what it awaited (and the last answer) once the timeout has passed. Timeouts are generous, for a
/// loaded 2-core machine: a wait costs only as long as the system takes.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public static Task That(Func<bool> condition, TimeSpan timeout, string description) =>
        That(() => Task.FromResult(condition()), timeout, description);

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public static async Task That(Func<Task<bool>> condition, TimeSpan timeout, string description)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            if (waited.Elapsed > timeout)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {description}.");
            }

            await Task.Delay(Interval);
        }
    }

    /// <summary>
    /// Asks <paramref name="probe"/> until its answer satisfies <paramref name="until"/>, and returns that answer; a
    /// failure shows the last answer, through <paramref name="show"/> when given.
    /// </summary>
    public static async Task<T> Returns<T>(
        Func<Task<T>> probe, Func<T, bool> until, TimeSpan timeout, string description, Func<T, string>? show = null)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var answer = await probe();
            if (until(answer))
            {
                return answer;
            }

            if (waited.Elapsed > timeout)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {description}; the last answer was {(show is null ? answer : show(answer))}.");
            }

            await Task.Delay(Interval);
        }
    }
}
