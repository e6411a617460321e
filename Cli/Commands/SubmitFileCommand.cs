using System.CommandLine;
using System.Globalization;
using System.Text;
using TaskScheduler.Cli.Batch;
using TaskScheduler.Cli.Invocation;
using TaskScheduler.Client;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Cli.Commands;

/// <summary>
/// The <c>--file</c> form of <c>tasks submit</c>: a JSONL file (or <c>-</c>, standard input) of independent tasks,
/// sent <c>--batch-size</c> to a message (<c>submit-batch</c>). Each batch's answer comes once the scheduler has
/// journaled it; every line's outcome is printed (accepted, duplicate, refused with the reason), then a summary. The
/// exit code is <see cref="ExitCodes.Rejected"/> when any line was refused.
/// </summary>
public static class SubmitFileCommand
{
    /// <summary>Batches awaiting the scheduler's answer at once: a commit's latency need not be paid batch by batch.</summary>
    private const int BatchesInFlight = 8;

    public static async Task<int> RunAsync(ParseResult result, string path, int batchSize, TimeSpan timeout, Output output, CancellationToken ct)
    {
        using var reader = Open(path);
        await using var client = ClientFactory.Create(result);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        var outcomes = new List<(TaskLine Line, BatchTaskOutcome? Outcome)>();
        var inFlight = new Queue<(List<TaskLine> Lines, Task<SubmitTasksReply>? Reply)>();
        try
        {
            foreach (var batch in TaskLines.Batches(TaskLines.Read(reader), batchSize))
            {
                var sendable = batch.Any(l => l.Json is not null);
                inFlight.Enqueue((batch, sendable ? client.SubmitBatchJsonWithOutcomesAsync(TaskLines.Body(batch), deadline.Token) : null));
                if (inFlight.Count >= BatchesInFlight)
                {
                    await TakeAnswerAsync(inFlight.Dequeue(), outcomes, output);
                }
            }

            while (inFlight.TryDequeue(out var pending))
            {
                await TakeAnswerAsync(pending, outcomes, output);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Timeout,
                $"the scheduler did not answer within {timeout} ({outcomes.Count} lines answered); the batches sent wait in the broker and will be judged");
        }

        var (accepted, duplicates, refused) = (Count(BatchOutcome.Accepted), Count(BatchOutcome.Duplicate), Count(BatchOutcome.Refused));
        output.Result(
            string.Create(CultureInfo.InvariantCulture, $"{accepted} accepted, {duplicates} duplicate, {refused} refused, of {outcomes.Count} lines"),
            new
            {
                accepted,
                duplicates,
                refused,
                lines = outcomes.Select(o => new { line = o.Line.Number, id = o.Outcome?.Id ?? o.Line.Id, outcome = Name(o.Outcome), reason = Reason(o) }).ToArray(),
            });
        return refused > 0 ? ExitCodes.Rejected : ExitCodes.Ok;

        int Count(BatchOutcome kind) => outcomes.Count(o => (o.Outcome?.Outcome ?? BatchOutcome.Refused) == kind);
    }

    /// <summary>Awaits a batch's answer and prints each of its lines, in the file's order.</summary>
    private static async Task TakeAnswerAsync(
        (List<TaskLine> Lines, Task<SubmitTasksReply>? Reply) batch, List<(TaskLine, BatchTaskOutcome?)> outcomes, Output output)
    {
        var reply = batch.Reply is null ? null : await batch.Reply;
        if (reply?.Error is { } error)
        {
            throw new CliException(ExitCodes.Rejected, $"the scheduler refused a whole batch (lines {batch.Lines[0].Number} to {batch.Lines[^1].Number}): {error}");
        }

        var answers = reply?.Tasks.GetEnumerator();
        foreach (var line in batch.Lines)
        {
            var outcome = line.Json is not null && answers!.MoveNext() ? answers.Current : null;
            outcomes.Add((line, outcome));
            if (!output.Json)
            {
                var id = outcome?.Id ?? line.Id;
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"line {line.Number}: {Name(outcome)}{(id is null ? "" : $" {id}")}{(Reason((line, outcome)) is { } why ? $": {why}" : "")}"));
            }
        }
    }

    private static string Name(BatchTaskOutcome? outcome) => outcome?.Outcome switch
    {
        BatchOutcome.Accepted => "accepted",
        BatchOutcome.Duplicate => "duplicate",
        _ => "refused",
    };

    private static string? Reason((TaskLine Line, BatchTaskOutcome? Outcome) o) => o.Outcome?.Reason ?? o.Line.Problem;

    private static StreamReader Open(string path)
    {
        if (path == "-")
        {
            return new StreamReader(Console.OpenStandardInput(), Encoding.UTF8);
        }

        return File.Exists(path) ? new StreamReader(path, Encoding.UTF8) : throw new CliException(ExitCodes.Usage, $"no such file: {path}");
    }
}
