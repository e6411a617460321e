using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Options;
using TaskScheduler.Contracts;
using TaskScheduler.Worker.Handlers;

namespace TaskScheduler.Worker.Command;

/// <summary>
/// Runs <c>Worker:Command</c> once per attempt: the payload on its standard input; TASK_ID, TASK_ATTEMPT,
/// TASK_PRIORITY and TASK_CHECKPOINT (when there is one) in its environment; its standard output (at most 1 MiB) is
/// the result; exit code 0 completes, any other fails with the tail of its standard error, where
/// <see cref="StderrLine"/>s report progress and save checkpoints. When the token fires it gets SIGTERM, then SIGKILL
/// after <c>Worker:CommandKillGrace</c>.
/// </summary>
public sealed partial class CommandHandler : ITaskHandler
{
    private const int SigTerm = 15;
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly CommandOptions _options;
    private readonly ProcessSpawner _spawner;
    private readonly TimeProvider _time;
    private readonly ILogger<CommandHandler> _logger;

    public CommandHandler(IOptions<CommandOptions> options, ProcessSpawner spawner, TimeProvider time, ILogger<CommandHandler> logger)
    {
        _options = options.Value;
        _spawner = spawner;
        _time = time;
        _logger = logger;
    }

    public async Task<TaskResult> RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var command = DeathSignal.Wrap(_options.Command, DeathSignal.SetPriv);
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = Utf8,
            StandardErrorEncoding = Utf8,
        };
        foreach (var arg in command.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["TASK_ID"] = context.TaskId.ToString();
        info.Environment["TASK_ATTEMPT"] = context.Attempt.ToString(CultureInfo.InvariantCulture);
        info.Environment["TASK_PRIORITY"] = context.Priority.ToString(CultureInfo.InvariantCulture);
        info.Environment.Remove("TASK_CHECKPOINT");
        if (context.Checkpoint is not null)
        {
            info.Environment["TASK_CHECKPOINT"] = context.Checkpoint;
        }

        using var process = await _spawner.StartAsync(info);
        _logger.LogDebug("Task {TaskId} attempt {Attempt} runs as process {Pid}", context.TaskId, context.Attempt, process.Id);
        var tail = new StderrTail();
        var stdin = WriteAsync(process, context.Payload);
        var stdout = ReadBoundedAsync(process, Limits.MaxResultBytes);
        var stderr = ReadErrorsAsync(process, context, tail);
        using (cancellationToken.Register(() => _ = StopAsync(process)))
        {
            await process.WaitForExitAsync(CancellationToken.None);
        }

        // A grandchild that keeps the pipes open must not hold up the attempt for long.
        await Task.WhenAny(Task.WhenAll(stdin, stdout, stderr), Task.Delay(TimeSpan.FromSeconds(5), _time, CancellationToken.None));
        var (output, overflow) = stdout.IsCompletedSuccessfully ? stdout.Result : ([], false);
        if (overflow)
        {
            return TaskResult.Failed($"the command wrote more than {Limits.MaxResultBytes} bytes to standard output, the limit of a result");
        }

        if (process.ExitCode == 0)
        {
            return TaskResult.Completed(output.Length == 0 ? null : Utf8.GetString(output));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var errors = tail.ToString();
        return TaskResult.Failed(errors.Length == 0 ? $"exit code {process.ExitCode}" : $"exit code {process.ExitCode}: {errors}");
    }

    /// <summary>SIGTERM, then SIGKILL (of the whole tree) if the command is still there after the grace.</summary>
    private async Task StopAsync(Process process)
    {
        try
        {
            if (process.HasExited)
            {
                return;
            }

            _ = Kill(process.Id, SigTerm);
            using var grace = new CancellationTokenSource(_options.KillGrace, _time);
            await process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            _logger.LogInformation("Process {Pid} ignored SIGTERM for {Grace}; killing it", process.Id, _options.KillGrace);
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static async Task WriteAsync(Process process, string payload)
    {
        try
        {
            await process.StandardInput.WriteAsync(payload);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The command exited without reading all of its input: its business.
        }
    }

    /// <summary>Reads standard output up to <paramref name="limit"/> bytes; beyond it, kills the command.</summary>
    private static async Task<(byte[] Output, bool Overflow)> ReadBoundedAsync(Process process, int limit)
    {
        var stream = process.StandardOutput.BaseStream;
        using var output = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            if (output.Length + read > limit)
            {
                process.Kill(entireProcessTree: true);
                return ([], true);
            }

            output.Write(buffer, 0, read);
        }

        return (output.ToArray(), false);
    }

    private async Task ReadErrorsAsync(Process process, TaskContext context, StderrTail tail)
    {
        while (await process.StandardError.ReadLineAsync() is { } line)
        {
            if (StderrLine.TryReadProgress(line, out var fraction, out var message))
            {
                context.ReportProgress(fraction, message);
            }
            else if (StderrLine.TryReadCheckpoint(line, out var checkpoint))
            {
                try
                {
                    await context.SaveCheckpointAsync(checkpoint);
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException)
                {
                    _logger.LogWarning("Task {TaskId}: checkpoint not saved: {Error}", context.TaskId, e.Message);
                }
            }
            else
            {
                tail.Add(line);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
