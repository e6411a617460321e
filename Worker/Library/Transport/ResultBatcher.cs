using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Worker.Transport;

/// <summary>
/// Sends results in as few messages as latency allows: a result goes out at once while fewer than
/// <see cref="DefaultMessagesInFlight"/> messages await the broker's confirm; results that finish while that many are
/// on their way go together in the next one. Under load that is one message (and one broker hop) for many results; at
/// rest it adds no delay, and a confirm that waits for the broker's disk sync does not hold back the next result. A
/// caller's task completes when the message holding its result is confirmed, and fails if that publish fails (the
/// caller retries).
/// </summary>
internal sealed class ResultBatcher
{
    /// <summary>Results per message at most: about 300 bytes each without a result text.</summary>
    public const int MaxResults = 200;

    /// <summary>
    /// Result and error text per message at most, so a few large results do not make one huge message; a result
    /// larger than this (up to 1 MiB) travels alone.
    /// </summary>
    public const int MaxTextChars = 256 * 1024;

    /// <summary>Messages awaiting their confirm at once, by default.</summary>
    public const int DefaultMessagesInFlight = 4;

    private readonly Func<IReadOnlyList<TaskFinished>, Task> _publish;
    private readonly Lock _gate = new();
    private readonly List<(TaskFinished Result, TaskCompletionSource Sent)> _waiting = [];
    private readonly int _messagesInFlight;
    private int _senders;

    public ResultBatcher(Func<IReadOnlyList<TaskFinished>, Task> publish, int messagesInFlight = DefaultMessagesInFlight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(messagesInFlight, 1);
        _publish = publish;
        _messagesInFlight = messagesInFlight;
    }

    public Task SendAsync(TaskFinished result, CancellationToken ct)
    {
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_gate)
        {
            _waiting.Add((result, sent));
            start = _senders < _messagesInFlight;
            if (start)
            {
                _senders++;
            }
        }

        if (start)
        {
            _ = Task.Run(SendWaitingAsync, CancellationToken.None);
        }

        return sent.Task.WaitAsync(ct);
    }

    /// <summary>One sender: sends what is waiting, one message at a time, until nothing is.</summary>
    private async Task SendWaitingAsync()
    {
        // The message belongs to no single task: it must not carry the trace of whichever result came first.
        System.Diagnostics.Activity.Current = null;
        while (true)
        {
            List<(TaskFinished Result, TaskCompletionSource Sent)> batch;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _senders--;
                    return;
                }

                var take = 0;
                for (var chars = 0L; take < Math.Min(_waiting.Count, MaxResults); take++)
                {
                    chars += (_waiting[take].Result.Result?.Length ?? 0) + (_waiting[take].Result.Error?.Length ?? 0);
                    if (take > 0 && chars > MaxTextChars)
                    {
                        break;
                    }
                }


                batch = _waiting.GetRange(0, take);
                _waiting.RemoveRange(0, take);
            }

            try
            {
                await _publish([.. batch.Select(b => b.Result)]);
                batch.ForEach(b => b.Sent.TrySetResult());
            }
#pragma warning disable CA1031 // Whatever failed belongs to the callers, who retry; the sender must go on.
            catch (Exception e)
#pragma warning restore CA1031
            {
                batch.ForEach(b => b.Sent.TrySetException(e));
            }
        }
    }
}
