using TaskScheduler.Worker.Configuration;

namespace TaskScheduler.Worker.Command;

/// <summary>
/// The command handler's settings: <c>Worker:Command</c>, a program and its arguments, either one string split as a
/// shell would (<see cref="CommandLine"/>) or an array (<c>Worker:Command:0</c>, <c>:1</c>…); and
/// <c>Worker:CommandKillGrace</c>, how long a command has between SIGTERM and SIGKILL.
/// </summary>
public sealed class CommandOptions
{
    public IReadOnlyList<string> Command { get; set; } = [];

    /// <summary>Why <c>Worker:Command</c> could not be read; null when it could.</summary>
    public string? Problem { get; set; }

    public TimeSpan KillGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Reads the settings from the <c>Worker</c> section.</summary>
    public static void Read(CommandOptions options, IConfigurationSection worker)
    {
        var command = worker.GetSection("Command");
        if (command.Value is { } text)
        {
            options.Command = CommandLine.TryParse(text, out var words, out var problem) ? words : [];
            options.Problem = problem;
        }
        else
        {
            options.Command = [.. command.GetChildren().OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue).Select(c => c.Value ?? "")];
            options.Problem = options.Command.Count == 0 ? "it is not set" : null;
        }

        if (worker["CommandKillGrace"] is { } grace)
        {
            options.KillGrace = TimeSpan.TryParse(grace, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed : TimeSpan.MinValue;
        }
    }

    public IEnumerable<string> Validate()
    {
        if (Problem is not null || Command.Count == 0 || string.IsNullOrWhiteSpace(Command[0]))
        {
            yield return $"{WorkerOptions.Section}:Command must name a program and its arguments (Worker:Handler=command): {Problem ?? "the program is empty"}";
        }

        if (KillGrace < TimeSpan.Zero)
        {
            yield return $"{WorkerOptions.Section}:CommandKillGrace must be a duration of at least 0";
        }
    }
}
