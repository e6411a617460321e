using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Lifecycle;

namespace TaskScheduler.Scheduler.Engine;

/// <summary>
/// Applies a batch submission within the turn: every task on its own, as if it had come alone and in this order
/// (so a task may depend on an earlier one of the batch), with one journal read for every id the batch names. A
/// refused task of a broker batch is copied alone, with its index, to the rejected queue; every refused task with an
/// id is announced. The answer lists each task's outcome in the batch's order.
/// </summary>
internal sealed class BatchSubmitter(SchedulerCore core, IJournal journal, InputApplier applier, TimeProvider time)
{
    /// <summary>Header of a rejected copy that says which task of its batch it was (from 0).</summary>
    public const string BatchIndexHeader = "x-batch-index";

    /// <summary>
    /// Applies <paramref name="entries"/>, or refuses the whole batch for <paramref name="refusal"/>. A broker batch
    /// brings its <paramref name="message"/> (body and headers), from which refusals are copied.
    /// </summary>
    public SubmitTasksReply Apply(
        IReadOnlyList<BatchEntry>? entries,
        InputRejection? refusal,
        Turn turn,
        (ReadOnlyMemory<byte> Body, IDictionary<string, object?>? Headers)? message)
    {
        if (entries is null)
        {
            core.CountRejected();
            var whole = refusal! with { Reason = BoundedText.Truncate(refusal.Reason, Limits.MaxReasonChars) };
            if (message is { } m)
            {
                applier.Reject(m.Body, m.Headers, whole, turn);
            }

            return new SubmitTasksReply(0, 0, 0, []) { Error = whole.Reason };
        }

        var looked = LookUp(entries, turn);
        var outcomes = new List<BatchTaskOutcome>(entries.Count);
        var (accepted, duplicates) = (0, 0);
        foreach (var entry in entries)
        {
            InputRejection? refused;
            if (entry.Task is null)
            {
                core.CountRejected();
                refused = entry.Rejection!;
            }
            else
            {
                var verdict = applier.Submit(entry.Task, turn, looked);
                if (!verdict.IsRejected)
                {
                    var duplicate = verdict.Outcome == SubmitOutcome.Duplicate;
                    (accepted, duplicates) = duplicate ? (accepted, duplicates + 1) : (accepted + 1, duplicates);
                    outcomes.Add(new BatchTaskOutcome(entry.Index, entry.Task.Id, duplicate ? BatchOutcome.Duplicate : BatchOutcome.Accepted));
                    continue;
                }

                refused = new InputRejection(entry.Task.Id, verdict.Reason!);
            }

            refused = refused with { Reason = BoundedText.Truncate(refused.Reason, Limits.MaxReasonChars) };
            if (message is { } m)
            {
                applier.Reject(entry.Raw, WithIndex(m.Headers, entry.Index), refused, turn);
            }
            else if (refused.Id is { } id)
            {
                turn.RejectionEvents.Add(new TaskRejected(id, refused.Reason, time.GetUtcNow()));
            }

            outcomes.Add(new BatchTaskOutcome(entry.Index, refused.Id, BatchOutcome.Refused) { Reason = refused.Reason });
        }

        return new SubmitTasksReply(accepted, duplicates, outcomes.Count - accepted - duplicates, outcomes);
    }

    /// <summary>
    /// What the journal holds of every id the batch names (its tasks and their dependencies) that neither the core
    /// nor this turn knows, in one call to the journal (FindMany); an id looked up and not found maps to null.
    /// </summary>
    private Dictionary<Guid, TaskSnapshot?> LookUp(IReadOnlyList<BatchEntry> entries, Turn turn)
    {
        var ids = new HashSet<Guid>();
        foreach (var task in entries.Select(e => e.Task).OfType<ParsedSubmission>())
        {
            foreach (var id in task.DependsOn.Prepend(task.Id))
            {
                if (core.FindActive(id) is null && !turn.Effects.Changed.ContainsKey(id))
                {
                    ids.Add(id);
                }
            }
        }

        var looked = ids.ToDictionary(id => id, _ => (TaskSnapshot?)null);
        foreach (var snapshot in journal.FindMany(ids))
        {
            looked[snapshot.Id] = snapshot;
        }

        return looked;
    }

    private static Dictionary<string, object?> WithIndex(IDictionary<string, object?>? headers, int index) =>
        new(headers ?? new Dictionary<string, object?>(), StringComparer.Ordinal) { [BatchIndexHeader] = index };
}
