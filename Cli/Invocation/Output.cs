using System.Text.Json;

namespace TaskScheduler.Cli.Invocation;

/// <summary>
/// Where commands write: results to standard output (text for people, or one JSON document with --json),
/// progress (text mode only) and errors to standard error so piping the result stays clean.
/// </summary>
public sealed class Output
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public Output(bool json) => Json = json;

    public bool Json { get; }

    public void Result(string text, object json) =>
        Console.Out.WriteLine(Json ? JsonSerializer.Serialize(json, JsonOptions) : text);

    /// <summary>
    /// A task's result for scripts: the text exactly as the task returned it (nothing when it returned none, a line
    /// end added only if it has none), or one JSON document with --json.
    /// </summary>
    public void Raw(string? text, object json)
    {
        if (Json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(json, JsonOptions));
        }
        else if (!string.IsNullOrEmpty(text))
        {
            Console.Out.Write(text.EndsWith('\n') ? text : text + "\n");
            Console.Out.Flush();
        }
    }

    /// <summary>Chatter for people watching; machines asking for --json get only the result.</summary>
    public void Progress(string text)
    {
        if (!Json)
        {
            Console.Error.WriteLine(text);
        }
    }

    public static void Error(string text) => Console.Error.WriteLine($"tasks: {text}");
}
