namespace TaskScheduler.Bench;

/// <summary>
/// Keeps up to a fixed number of confirmed publishes in flight: a new one starts as soon as any earlier one is
/// confirmed, rather than waiting for a whole batch.
/// </summary>
public sealed class PublishWindow : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly int _size;

    public PublishWindow(int size)
    {
        _size = size;
        _slots = new SemaphoreSlim(size, size);
    }

    /// <summary>Waits for a free slot, starts <paramref name="publish"/>, and calls <paramref name="done"/> with its outcome.</summary>
    public async Task SendAsync(Func<Task> publish, Action<Exception?> done, CancellationToken ct)
    {
        await _slots.WaitAsync(ct);
        _ = CompleteAsync(publish, done);
    }

    /// <summary>Waits until every publish started so far is confirmed (or failed).</summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        for (var i = 0; i < _size; i++)
        {
            await _slots.WaitAsync(ct);
        }

        _slots.Release(_size);
    }

    public void Dispose() => _slots.Dispose();

    private async Task CompleteAsync(Func<Task> publish, Action<Exception?> done)
    {
        try
        {
            await publish();
            done(null);
        }
#pragma warning disable CA1031 // Every outcome is handed to the caller, who counts it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            done(e);
        }
        finally
        {
            _slots.Release();
        }
    }
}
