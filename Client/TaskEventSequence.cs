using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using TaskScheduler.Client.Events;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Client;

/// <summary>
/// Turns what the client hears of one task (its events, as they arrive) and what it can ask (its status) into the
/// task's events in order up to its end, never waiting forever on an event that was missed.
/// </summary>
internal sealed class TaskEventSequence
{
    private readonly Func<Guid, CancellationToken, Task<TaskStatusView?>> _getStatus;
    private readonly TimeSpan _pollInterval;
    private readonly TimeSpan _unknownGrace;
    private readonly ILogger _logger;

    public TaskEventSequence(Func<Guid, CancellationToken, Task<TaskStatusView?>> getStatus, TimeSpan pollInterval, TimeSpan unknownGrace, ILogger logger)
    {
        _getStatus = getStatus;
        _pollInterval = pollInterval;
        _unknownGrace = unknownGrace;
        _logger = logger;
    }

    /// <summary>
    /// A task's events until its end. What happened before the follow began is in the scheduler's journal, so it is
    /// asked once now and again whenever no event came for a poll interval; a final state found there ends the
    /// events as if its event had arrived, after the events already received. A final event whose result was too
    /// large to travel gets it fetched. A task not submitted here that the scheduler does not know, asked twice an
    /// unknown-task grace apart with no event between, throws <see cref="TaskNotFoundException"/>.
    /// </summary>
    public async IAsyncEnumerable<TaskEvent> EventsOfAsync(Guid taskId, ChannelReader<TaskEvent> events, bool submittedHere, [EnumeratorCancellation] CancellationToken ct)
    {
        var (status, unknown) = await AskAsync(taskId, ct);
        var final = FinalOf(taskId, status);
        while (true)
        {
            TaskEvent? next;
            if (final is not null)
            {
                // The journal is ahead of the events: hand out those that have arrived, then the end it knows.
                if (!events.TryRead(out next))
                {
                    yield return final;
                    yield break;
                }
            }
            else
            {
                // A task the scheduler does not know may still be on its way through the broker: asked again soon.
                var doubt = unknown && !submittedHere;
                next = await NextAsync(events, doubt ? _unknownGrace : _pollInterval, ct);
                if (next is null)
                {
                    (status, unknown) = await AskAsync(taskId, ct);
                    if (doubt && unknown)
                    {
                        throw new TaskNotFoundException(taskId);
                    }

                    final = FinalOf(taskId, status);
                    continue;
                }

                unknown = false;
            }

            if (next.HasResultToFetch)
            {
                next = next with { Result = (await _getStatus(taskId, ct))?.Result };
            }

            yield return next;
            if (next.IsFinal)
            {
                yield break;
            }

            // A rejection ends a submission of ours, or a task nobody else submitted; a task that exists goes on
            // (someone resubmitted its id with other content).
            if (next.Kind == TaskEventKind.Rejected && (submittedHere || (final is null && (await AskAsync(taskId, ct)).Status is null)))
            {
                yield break;
            }
        }
    }

    /// <summary>The next event, or null when none came within <paramref name="interval"/>.</summary>
    private static async ValueTask<TaskEvent?> NextAsync(ChannelReader<TaskEvent> events, TimeSpan interval, CancellationToken ct)
    {
        if (events.TryRead(out var ready))
        {
            return ready;
        }

        using var poll = CancellationTokenSource.CreateLinkedTokenSource(ct);
        poll.CancelAfter(interval);
        try
        {
            return await events.ReadAsync(poll.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
        catch (ChannelClosedException e) when (e.InnerException is ObjectDisposedException disposed)
        {
            throw disposed;
        }
    }

    /// <summary>A final status read as the event that announced it, for a task that ended before its events were followed.</summary>
    private static TaskEvent? FinalOf(Guid taskId, TaskStatusView? status) =>
        status is not null && status.State.IsFinal()
            ? TaskEventDecoder.FromChange(taskId, TaskEventDecoder.KindOf(status.State), new TaskStateChanged(
                taskId, status.State, status.Priority, status.Attempts, status.WorkerId, status.Error,
                status.FinishedAt ?? DateTimeOffset.UtcNow, status.StartedAt, status.FinishedAt)
            {
                Result = status.Result,
                ResultBytes = status.Result is null ? 0 : Encoding.UTF8.GetByteCount(status.Result),
            })
            : null;

    /// <summary>
    /// The status, or null when the task is unknown (then <c>Unknown</c>) or the scheduler cannot say now (the events
    /// still can).
    /// </summary>
    private async Task<(TaskStatusView? Status, bool Unknown)> AskAsync(Guid taskId, CancellationToken ct)
    {
        try
        {
            var status = await _getStatus(taskId, ct);
            return (status, status is null);
        }
        catch (TaskSchedulerUnavailableException e)
        {
            _logger.LogDebug(e, "Could not ask the scheduler about task {TaskId}; listening to its events", taskId);
            return (null, false);
        }
    }
}
