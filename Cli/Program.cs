using System.CommandLine;
using TaskScheduler.Cli.Invocation;
using TaskScheduler.Cli.Commands;

var root = new RootCommand("tasks: submit and follow work on a TaskScheduler system")
{
    GlobalOptions.Broker, GlobalOptions.Prefix, GlobalOptions.Scheduler, GlobalOptions.Json,
    SubmitCommand.Create(), WaitCommand.Create(), StatusCommand.Create(), CancelCommand.Create(), WorkersCommand.Create(), TopCommand.Create(), BenchCommand.Create(),
    AutoscaleCommand.Create(), ScheduleCommand.Create(), ListCommand.Create(), RetryCommand.Create(), PriorityCommand.Create(), DeleteCommand.Create(),
};
// `submit @FILE` reads the payload from FILE, so @ must not mean "response file" here.
var parsing = new ParserConfiguration { ResponseFileTokenReplacer = null };
var parsed = root.Parse(args, parsing);
// On Ctrl+C or SIGTERM, `autoscale` drains its workers before it exits; other commands stop at once.
var invocation = parsed.CommandResult.Command.Name == "autoscale"
    ? new InvocationConfiguration { ProcessTerminationTimeout = AutoscaleCommand.StopTimeout }
    : null;
return await parsed.InvokeAsync(invocation);
