using System.Text.Json;
using Json.Schema;

namespace TaskScheduler.UnitTests.Schemas;

/// <summary>The JSON Schemas of the worker protocol (<c>Contracts/Schemas/</c>), loaded once, each by its file's name.</summary>
internal static class WorkerProtocolSchemas
{
    private static readonly Dictionary<string, JsonSchema> Loaded = Load();

    public static IEnumerable<string> Names => Loaded.Keys;

    /// <summary>The problems the named schema finds in <paramref name="json"/>; empty when it is valid.</summary>
    public static IReadOnlyList<string> Problems(string name, byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var results = Loaded[name].Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return results.IsValid
            ? []
            : [.. (results.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))];
    }

    private static Dictionary<string, JsonSchema> Load()
    {
        var registry = new SchemaRegistry();
        return Directory.GetFiles(Path.Combine(Repository.Root, "Contracts", "Schemas"), "*.schema.json").ToDictionary(
            file => Path.GetFileName(file)[..^".schema.json".Length],
            file => JsonSchema.FromText(File.ReadAllText(file), new BuildOptions { SchemaRegistry = registry }));
    }
}
