using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core.Lifecycle;
using TaskScheduler.Scheduler.Core.Queueing;

namespace TaskScheduler.Scheduler.Journal;

/// <summary>
/// A <see cref="TurnRecord"/> in bytes and back. Binary and compact, since a turn of thousands of tasks is one record:
/// integers as 7-bit varints, times as signed tick offsets from the record's time, ids as 16 bytes, a content hash as
/// its 16 bytes, the strings that repeat (worker ids, history steps, tags, groups) once per record and then by index,
/// and every field at its default left out behind a bit mask. A task the turn accepted is written whole with its
/// payload; a task it only changed leaves out what is fixed at acceptance (submission time, content hash, payload
/// size, dependencies, retries allowed, timeout, placement), which reading takes from the task as committed before.
/// </summary>
public static class TurnRecordCodec
{
    /// <summary>The format written; a reader refuses any other.</summary>
    public const byte Version = 1;

    private const byte AcceptedKind = 1;
    private const byte ChangedKind = 2;
    private const byte AcceptedStoredApartKind = 3;

    public static byte[] Encode(TurnRecord record)
    {
        using var stream = new MemoryStream();
        Write(record, stream);
        return stream.ToArray();
    }

    /// <summary>Writes the record at the stream's position.</summary>
    public static void Write(TurnRecord record, Stream output)
    {
        using var writer = new TurnRecordWriter(output, record.At.UtcTicks);
        writer.Byte(Version);
        writer.Varint(record.Turn);
        writer.Varint(record.Term);
        writer.Fixed(record.At.UtcTicks);
        writer.Varint(record.Changes.Count);
        foreach (var task in record.Changes)
        {
            if (record.Payloads.TryGetValue(task.Id, out var payload))
            {
                writer.Byte(AcceptedKind);
                writer.Id(task.Id);
                WriteAcceptance(writer, task);
                writer.Text(payload);
            }
            else if (record.StoredApart.Contains(task.Id))
            {
                writer.Byte(AcceptedStoredApartKind);
                writer.Id(task.Id);
                WriteAcceptance(writer, task);
            }
            else
            {
                writer.Byte(ChangedKind);
                writer.Id(task.Id);
            }

            WriteState(writer, task);
        }
    }

    /// <summary>
    /// Reads a record. <paramref name="committed"/> gives, for a task the record changed but did not accept, the task
    /// as committed before it (from which what is fixed at acceptance is taken); null for a task the journal does not
    /// hold, which makes the record unreadable.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a record of this format, cut short, or changing an unknown task.</exception>
    public static TurnRecord Decode(ReadOnlyMemory<byte> bytes, Func<Guid, TaskSnapshot?> committed)
    {
        try
        {
            return Read(new TurnRecordReader(bytes), committed);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or FormatException or OverflowException)
        {
            throw new InvalidDataException($"The turn record is damaged: {e.Message}", e);
        }
    }

    private static TurnRecord Read(TurnRecordReader reader, Func<Guid, TaskSnapshot?> committed)
    {
        if (reader.Byte() is var version && version != Version)
        {
            throw new InvalidDataException($"Turn record format {version} is not {Version}, the one this version reads.");
        }

        var turn = reader.Varint();
        var term = reader.Varint();
        var at = reader.Fixed();
        reader.BaseTicks = at;
        var count = checked((int)reader.Varint());
        var changes = new List<TaskSnapshot>(Math.Min(count, 4096));
        var payloads = new Dictionary<Guid, string>();
        var storedApart = new HashSet<Guid>();
        for (var i = 0; i < count; i++)
        {
            var kind = reader.Byte();
            var id = reader.Id();
            TaskSnapshot fixedPart;
            switch (kind)
            {
                case AcceptedKind:
                    fixedPart = ReadAcceptance(reader, id);
                    payloads[id] = reader.Text();
                    break;
                case AcceptedStoredApartKind:
                    fixedPart = ReadAcceptance(reader, id);
                    storedApart.Add(id);
                    break;
                case ChangedKind:
                    fixedPart = committed(id) ?? throw new InvalidDataException($"Turn {turn} changes task {id}, which the journal does not hold.");
                    break;
                default:
                    throw new InvalidDataException($"Turn {turn} holds an entry of unknown kind {kind}.");
            }

            changes.Add(ReadState(reader, fixedPart));
        }

        return new TurnRecord(turn, term, new DateTimeOffset(at, TimeSpan.Zero), changes, payloads) { StoredApart = storedApart };
    }

    [Flags]
    private enum AcceptanceFields
    {
        None = 0,
        DependsOn = 1,
        MaxRetries = 2,
        Timeout = 4,
        RunAt = 8,
        Requires = 16,
        Group = 32,
        HashAsText = 64,
    }

    private static void WriteAcceptance(TurnRecordWriter writer, TaskSnapshot task)
    {
        var hash = task.ContentHash.Length == 32 && IsUpperHex(task.ContentHash) ? Convert.FromHexString(task.ContentHash) : null;
        var fields = (task.DependsOn.Count > 0 ? AcceptanceFields.DependsOn : 0)
            | (task.MaxRetries != 0 ? AcceptanceFields.MaxRetries : 0)
            | (task.Timeout is not null ? AcceptanceFields.Timeout : 0)
            | (task.RunAt is not null ? AcceptanceFields.RunAt : 0)
            | (task.Requires.Count > 0 ? AcceptanceFields.Requires : 0)
            | (task.Group is not null ? AcceptanceFields.Group : 0)
            | (hash is null ? AcceptanceFields.HashAsText : 0);
        writer.Varint((long)fields);
        writer.Time(task.SubmittedAt);
        writer.Varint(task.PayloadBytes);
        if (hash is null)
        {
            writer.Text(task.ContentHash);
        }
        else
        {
            writer.Bytes(hash);
        }

        if (fields.HasFlag(AcceptanceFields.DependsOn))
        {
            writer.Varint(task.DependsOn.Count);
            foreach (var dependency in task.DependsOn)
            {
                writer.Id(dependency);
            }
        }

        if (fields.HasFlag(AcceptanceFields.MaxRetries))
        {
            writer.Varint(task.MaxRetries);
        }

        if (task.Timeout is { } timeout)
        {
            writer.Varint(timeout.Ticks);
        }

        if (task.RunAt is { } runAt)
        {
            writer.Time(runAt);
        }

        if (fields.HasFlag(AcceptanceFields.Requires))
        {
            writer.Varint(task.Requires.Count);
            foreach (var tag in task.Requires)
            {
                writer.Name(tag);
            }
        }

        if (task.Group is { } group)
        {
            writer.Name(group);
        }
    }

    private static TaskSnapshot ReadAcceptance(TurnRecordReader reader, Guid id)
    {
        var fields = (AcceptanceFields)reader.Varint();
        var submittedAt = reader.Time();
        var payloadBytes = checked((int)reader.Varint());
        var hash = fields.HasFlag(AcceptanceFields.HashAsText) ? reader.Text() : Convert.ToHexString(reader.Bytes(16));
        var dependsOn = fields.HasFlag(AcceptanceFields.DependsOn) ? reader.List(r => r.Id()) : [];
        var maxRetries = fields.HasFlag(AcceptanceFields.MaxRetries) ? checked((int)reader.Varint()) : 0;
        TimeSpan? timeout = fields.HasFlag(AcceptanceFields.Timeout) ? TimeSpan.FromTicks(reader.Varint()) : null;
        var runAt = fields.HasFlag(AcceptanceFields.RunAt) ? reader.Time() : (DateTimeOffset?)null;
        var requires = fields.HasFlag(AcceptanceFields.Requires) ? reader.List(r => r.Name()!) : [];
        var group = fields.HasFlag(AcceptanceFields.Group) ? reader.Name() : null;
        return new TaskSnapshot(id, 0, 0, TaskState.Pending, 0, null, submittedAt, null, null, null, null, null, hash, payloadBytes)
        {
            DependsOn = dependsOn,
            MaxRetries = maxRetries,
            Timeout = timeout,
            RunAt = runAt,
            Requires = requires,
            Group = group,
        };
    }

    [Flags]
    private enum StateFields
    {
        None = 0,
        Attempts = 1 << 0,
        WorkerId = 1 << 1,
        AssignedAt = 1 << 2,
        StartedAt = 1 << 3,
        FinishedAt = 1 << 4,
        Error = 1 << 5,
        Note = 1 << 6,
        Retries = 1 << 7,
        RetryAt = 1 << 8,
        Checkpoint = 1 << 9,
        Result = 1 << 10,
        Preemptions = 1 << 11,
        WorkerDeaths = 1 << 12,
        History = 1 << 13,
    }

    private static void WriteState(TurnRecordWriter writer, TaskSnapshot task)
    {
        var fields = (task.Attempts != 0 ? StateFields.Attempts : 0)
            | (task.WorkerId is not null ? StateFields.WorkerId : 0)
            | (task.AssignedAt is not null ? StateFields.AssignedAt : 0)
            | (task.StartedAt is not null ? StateFields.StartedAt : 0)
            | (task.FinishedAt is not null ? StateFields.FinishedAt : 0)
            | (task.Error is not null ? StateFields.Error : 0)
            | (task.Note is not null ? StateFields.Note : 0)
            | (task.Retries != 0 ? StateFields.Retries : 0)
            | (task.RetryAt is not null ? StateFields.RetryAt : 0)
            | (task.Checkpoint is not null ? StateFields.Checkpoint : 0)
            | (task.Result is not null ? StateFields.Result : 0)
            | (task.Preemptions != 0 ? StateFields.Preemptions : 0)
            | (task.WorkerDeaths != 0 ? StateFields.WorkerDeaths : 0)
            | (task.History.Count > 0 ? StateFields.History : 0);
        writer.Varint(task.Sequence);
        writer.Signed(task.Priority);
        writer.Byte((byte)task.State);
        writer.Byte((byte)task.Wait);
        writer.Varint((long)fields);
        if (task.Attempts != 0)
        {
            writer.Varint(task.Attempts);
        }

        writer.NameIfAny(task.WorkerId);
        writer.TimeIfAny(task.AssignedAt);
        writer.TimeIfAny(task.StartedAt);
        writer.TimeIfAny(task.FinishedAt);
        writer.TextIfAny(task.Error);
        writer.TextIfAny(task.Note);
        if (task.Retries != 0)
        {
            writer.Varint(task.Retries);
        }

        writer.TimeIfAny(task.RetryAt);
        writer.TextIfAny(task.Checkpoint);
        writer.TextIfAny(task.Result);
        if (task.Preemptions != 0)
        {
            writer.Varint(task.Preemptions);
        }

        if (task.WorkerDeaths != 0)
        {
            writer.Varint(task.WorkerDeaths);
        }

        if (fields.HasFlag(StateFields.History))
        {
            writer.Varint(task.History.Count);
            foreach (var step in task.History)
            {
                writer.Time(step.At);
                writer.Name(step.Event);
                writer.Name(step.WorkerId);
                writer.Varint(step.Attempt is { } attempt ? attempt + 1L : 0);
                writer.NullableText(step.Detail);
            }
        }
    }

    private static TaskSnapshot ReadState(TurnRecordReader reader, TaskSnapshot fixedPart)
    {
        var sequence = reader.Varint();
        var priority = checked((int)reader.Signed());
        var state = (TaskState)reader.Byte();
        var wait = (PendingWait)reader.Byte();
        if (!Enum.IsDefined(state) || !Enum.IsDefined(wait))
        {
            throw new InvalidDataException($"Task {fixedPart.Id} has an unknown state {(int)state} or wait {(int)wait}.");
        }

        var fields = (StateFields)reader.Varint();
        return fixedPart with
        {
            Sequence = sequence,
            Priority = priority,
            State = state,
            Wait = wait,
            Attempts = fields.HasFlag(StateFields.Attempts) ? checked((int)reader.Varint()) : 0,
            WorkerId = fields.HasFlag(StateFields.WorkerId) ? reader.Name() : null,
            AssignedAt = fields.HasFlag(StateFields.AssignedAt) ? reader.Time() : null,
            StartedAt = fields.HasFlag(StateFields.StartedAt) ? reader.Time() : null,
            FinishedAt = fields.HasFlag(StateFields.FinishedAt) ? reader.Time() : null,
            Error = fields.HasFlag(StateFields.Error) ? reader.Text() : null,
            Note = fields.HasFlag(StateFields.Note) ? reader.Text() : null,
            Retries = fields.HasFlag(StateFields.Retries) ? checked((int)reader.Varint()) : 0,
            RetryAt = fields.HasFlag(StateFields.RetryAt) ? reader.Time() : null,
            Checkpoint = fields.HasFlag(StateFields.Checkpoint) ? reader.Text() : null,
            Result = fields.HasFlag(StateFields.Result) ? reader.Text() : null,
            Preemptions = fields.HasFlag(StateFields.Preemptions) ? checked((int)reader.Varint()) : 0,
            WorkerDeaths = fields.HasFlag(StateFields.WorkerDeaths) ? checked((int)reader.Varint()) : 0,
            History = fields.HasFlag(StateFields.History) ? reader.List(ReadStep) : [],
        };
    }

    private static TaskHistoryEntry ReadStep(TurnRecordReader reader)
    {
        var at = reader.Time();
        var name = reader.Name() ?? throw new InvalidDataException("A history step has no event.");
        var worker = reader.Name();
        var attempt = reader.Varint();
        return new TaskHistoryEntry(at, name, worker, attempt == 0 ? null : checked((int)(attempt - 1)), reader.NullableText());
    }

    private static bool IsUpperHex(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'A' and <= 'F'))
            {
                return false;
            }
        }

        return true;
    }
}
