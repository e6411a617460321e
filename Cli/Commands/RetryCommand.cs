using System.CommandLine;
using TaskScheduler.Cli.Invocation;
using TaskScheduler.Cli.Listing;
using TaskScheduler.Client;
using TaskScheduler.Contracts;

namespace TaskScheduler.Cli.Commands;

/// <summary><c>tasks retry ID</c> or <c>tasks retry --state failed [filters]</c></summary>
public static class RetryCommand
{
    public static Command Create()
    {
        var id = new Argument<Guid?>("id") { Description = "The task's id; leave it out to retry every task the filters select", Arity = ArgumentArity.ZeroOrOne };
        var reason = new Option<string?>("--reason") { Description = "Why, for the task's history" };
        var filters = new TaskFilterOptions();
        var command = new Command("retry", "Send a Failed or Cancelled task (or every one the filters select) back to the queue under the same id") { id, reason };
        filters.AddTo(command);
        command.SetAction((result, ct) => CliRunner.RunAsync(result, async output =>
        {
            await using var client = ClientFactory.Create(result);
            if (result.GetValue(id) is { } taskId)
            {
                var answer = await client.RetryAsync(taskId, result.GetValue(reason), ct);
                return TaskActionOutput.Report(output, taskId, answer, "retried", new { id = taskId, state = "pending" });
            }

            var filter = filters.Read(result, DateTimeOffset.UtcNow);
            if (filter.State is not (TaskState.Failed or TaskState.Cancelled))
            {
                throw new CliException(ExitCodes.Usage, "give a task id, or --state failed or --state cancelled with any other filters");
            }

            var total = 0;
            var matched = 0;
            var ids = new List<Guid>();
            do
            {
                var done = await client.RetryManyAsync(filter, result.GetValue(reason), ct);
                total += done.Retried;
                matched += done.Matched;
                ids.AddRange(done.Ids);
                filter = filter with { Cursor = done.Next };
            }
            while (filter.Cursor is not null);

            output.Result($"retried {total} of {matched} matching tasks", new { matched, retried = total, ids });
            return ExitCodes.Ok;
        }));
        return command;
    }
}
