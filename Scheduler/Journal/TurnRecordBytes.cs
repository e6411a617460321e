using System.Text;

namespace TaskScheduler.Scheduler.Journal;

// The primitives of TurnRecordCodec's format, apart from the format itself (which fields, in which order).

/// <summary>The encoding's primitives over a <see cref="BinaryWriter"/>, with the record's table of names.</summary>
internal sealed class TurnRecordWriter(Stream output, long baseTicks) : IDisposable
{
    private readonly BinaryWriter _out = new(output, Encoding.UTF8, leaveOpen: true);
    private readonly Dictionary<string, int> _names = new(StringComparer.Ordinal);

    public void Byte(byte value) => _out.Write(value);

    public void Bytes(byte[] value) => _out.Write(value);

    public void Varint(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        _out.Write7BitEncodedInt64(value);
    }

    /// <summary>Zigzag: small magnitudes of either sign take few bytes.</summary>
    public void Signed(long value) => _out.Write7BitEncodedInt64((value << 1) ^ (value >> 63));

    public void Fixed(long value) => _out.Write(value);

    public void Time(DateTimeOffset value) => Signed(value.UtcTicks - baseTicks);

    public void Id(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes);
        _out.Write(bytes);
    }

    public void Text(string value) => _out.Write(value);

    /// <summary>For a field whose presence the record's bit mask says: nothing when it is absent.</summary>
    public void TextIfAny(string? value)
    {
        if (value is not null)
        {
            _out.Write(value);
        }
    }

    public void TimeIfAny(DateTimeOffset? value)
    {
        if (value is { } time)
        {
            Time(time);
        }
    }

    public void NameIfAny(string? value)
    {
        if (value is not null)
        {
            Name(value);
        }
    }

    public void NullableText(string? value)
    {
        _out.Write(value is not null);
        if (value is not null)
        {
            _out.Write(value);
        }
    }

    /// <summary>A name that repeats: 0 for none, 1 and the text the first time, then 2 + its index.</summary>
    public void Name(string? value)
    {
        if (value is null)
        {
            _out.Write7BitEncodedInt(0);
        }
        else if (_names.TryGetValue(value, out var index))
        {
            _out.Write7BitEncodedInt(index + 2);
        }
        else
        {
            _names[value] = _names.Count;
            _out.Write7BitEncodedInt(1);
            _out.Write(value);
        }
    }

    public void Dispose() => _out.Dispose();
}

/// <summary>Reads what <see cref="TurnRecordWriter"/> wrote, from memory, refusing lengths beyond what is left.</summary>
internal sealed class TurnRecordReader(ReadOnlyMemory<byte> bytes)
{
    private readonly List<string> _names = [];
    private int _position;

    public long BaseTicks { get; set; }

    public byte Byte() => Span(1)[0];

    public byte[] Bytes(int count) => Span(count).ToArray();

    public long Varint()
    {
        long value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = Byte();
            value |= (long)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new FormatException("A varint runs past 64 bits.");
    }

    public long Signed()
    {
        var raw = Varint();
        return (long)((ulong)raw >> 1) ^ -(raw & 1);
    }

    public long Fixed() => System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(Span(8));

    public DateTimeOffset Time() => new(checked(BaseTicks + Signed()), TimeSpan.Zero);

    public Guid Id() => new(Span(16));

    public string Text()
    {
        var length = Varint();
        if (length > bytes.Length - _position)
        {
            throw new EndOfStreamException($"A text of {length} bytes runs past the record's end.");
        }

        return Encoding.UTF8.GetString(Span((int)length));
    }

    public string? NullableText() => Byte() != 0 ? Text() : null;

    public string? Name()
    {
        var code = Varint();
        switch (code)
        {
            case 0:
                return null;
            case 1:
                var name = Text();
                _names.Add(name);
                return name;
            default:
                var index = code - 2;
                return index < _names.Count ? _names[(int)index] : throw new FormatException($"Name {index} is not in the record's table.");
        }
    }

    public T[] List<T>(Func<TurnRecordReader, T> item)
    {
        var count = Varint();
        if (count > bytes.Length - _position)
        {
            throw new EndOfStreamException($"A list of {count} items runs past the record's end.");
        }

        var items = new T[count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = item(this);
        }

        return items;
    }

    private ReadOnlySpan<byte> Span(int count)
    {
        if (count > bytes.Length - _position)
        {
            throw new EndOfStreamException($"The record ends {count - (bytes.Length - _position)} bytes early.");
        }

        var span = bytes.Span.Slice(_position, count);
        _position += count;
        return span;
    }
}
