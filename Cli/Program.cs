using System.CommandLine;
using TaskScheduler.Cli;
using TaskScheduler.Cli.Commands;

var root = new RootCommand("tasks: submit and follow work on a TaskScheduler system")
{
    GlobalOptions.Broker, GlobalOptions.Prefix, GlobalOptions.Scheduler, GlobalOptions.Json,
    SubmitCommand.Create(), StatusCommand.Create(), WorkersCommand.Create(), TopCommand.Create(), BenchCommand.Create(),
};
// `submit @FILE` reads the payload from FILE, so @ must not mean "response file" here.
var parsing = new ParserConfiguration { ResponseFileTokenReplacer = null };
return await root.Parse(args, parsing).InvokeAsync();
