using System.Text.Json;
using System.Text.Json.Serialization;

namespace TaskScheduler.Contracts.Dashboard;

/// <summary>The dashboard's JSON, in the same style as the wire format: camelCase, enums as strings.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(DashboardSnapshot))]
public sealed partial class DashboardJson : JsonSerializerContext;
