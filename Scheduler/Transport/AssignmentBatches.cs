using TaskScheduler.Scheduler.Core;

namespace TaskScheduler.Scheduler.Transport;

/// <summary>
/// Splits one turn's assignments into messages: one per worker, as long as the orders in it stay under
/// <see cref="MaxPayloadChars"/> of payload together (a 1 MiB payload travels alone). Orders keep their order.
/// </summary>
internal static class AssignmentBatches
{
    /// <summary>About 256 KiB of payload per message: small tasks share a message, large ones do not wait for each other.</summary>
    public const int MaxPayloadChars = 256 * 1024;

    public static IEnumerable<IReadOnlyList<(Assignment Assignment, string Payload)>> Split(
        IEnumerable<(Assignment Assignment, string Payload)> assignments, int maxPayloadChars = MaxPayloadChars)
    {
        foreach (var forWorker in assignments.GroupBy(a => a.Assignment.WorkerId, StringComparer.Ordinal))
        {
            var batch = new List<(Assignment, string)>();
            var chars = 0L;
            foreach (var order in forWorker)
            {
                if (batch.Count > 0 && chars + order.Payload.Length > maxPayloadChars)
                {
                    yield return batch;
                    batch = [];
                    chars = 0;
                }

                batch.Add(order);
                chars += order.Payload.Length;
            }

            yield return batch;
        }
    }
}
