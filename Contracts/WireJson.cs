using System.Text.Json;
using System.Text.Json.Serialization;
using TaskScheduler.Contracts.Messages;

namespace TaskScheduler.Contracts;

/// <summary>The JSON wire format: camelCase names, enums as strings, source-generated for speed.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(SubmitTask))]
[JsonSerializable(typeof(AssignTask))]
[JsonSerializable(typeof(AssignTasks))]
[JsonSerializable(typeof(WorkerJoined))]
[JsonSerializable(typeof(WorkerHeartbeat))]
[JsonSerializable(typeof(TaskFinished))]
[JsonSerializable(typeof(TasksFinished))]
[JsonSerializable(typeof(WorkerLeft))]
[JsonSerializable(typeof(CancelTask))]
[JsonSerializable(typeof(PreemptTask))]
[JsonSerializable(typeof(SchedulerLeads))]
[JsonSerializable(typeof(TaskPreempted))]
[JsonSerializable(typeof(TaskCheckpointed))]
[JsonSerializable(typeof(TaskHistoryEntry[]))]
[JsonSerializable(typeof(TaskStateChanged))]
[JsonSerializable(typeof(TaskRejected))]
[JsonSerializable(typeof(TaskStatusView))]
[JsonSerializable(typeof(TaskStatusView[]))]
[JsonSerializable(typeof(WorkerView[]))]
[JsonSerializable(typeof(SubmitTask[]))]
[JsonSerializable(typeof(SubmitTasks))]
[JsonSerializable(typeof(SubmitTasksReply))]
[JsonSerializable(typeof(Listing.TaskPage))]
[JsonSerializable(typeof(Listing.RetryManyResult))]
[JsonSerializable(typeof(ScheduleView))]
[JsonSerializable(typeof(ScheduleView[]))]
public sealed partial class WireJson : JsonSerializerContext;
