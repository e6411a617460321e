using System.Text.Json;
using System.Text.Json.Serialization;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Core.Dispatching;

namespace TaskScheduler.Scheduler.Http;

/// <summary>The JSON of <c>GET /api/pools</c> and <c>/api/groups</c>, in the style of the wire format: camelCase.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(PoolLoad[]))]
[JsonSerializable(typeof(GroupLoad[]))]
public sealed partial class PlacementJson : JsonSerializerContext;
