using System.Text.Json;
using System.Text.Json.Serialization;

namespace TaskScheduler.Dashboard;

/// <summary>The JSON of the scheduler's views of itself (dashboard, autoscale), in the same style as the wire format: camelCase, enums as strings.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(DashboardSnapshot))]
[JsonSerializable(typeof(AutoscaleView))]
public sealed partial class DashboardJson : JsonSerializerContext;
