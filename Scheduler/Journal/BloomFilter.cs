namespace TaskScheduler.Scheduler.Journal;

/// <summary>
/// A Bloom filter over task ids: says for certain that an id was never added, or that it may have been. Sized for a
/// number of ids and a false-positive rate; each id sets <see cref="Hashes"/> bits chosen by double hashing of the
/// id mixed with a seed of this process, so ids a producer picks on purpose cannot aim at the same bits (at worst
/// they make false positives, which cost a journal lookup). One writer at a time (the caller locks); readers on other
/// threads need no lock, as a bit once set stays set.
/// </summary>
public sealed class BloomFilter
{
    private static readonly ulong Seed = (ulong)Random.Shared.NextInt64();
    private readonly ulong[] _words;
    private readonly ulong _bits;

    public BloomFilter(long capacity, double falsePositiveRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(falsePositiveRate, 1e-9);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(falsePositiveRate, 0.5);
        Capacity = capacity;
        // m = -n ln p / (ln 2)^2 bits and k = m/n ln 2 hashes minimise the false positives for n ids.
        var bits = Math.Ceiling(-capacity * Math.Log(falsePositiveRate) / (Math.Log(2) * Math.Log(2)));
        _words = new ulong[(long)Math.Ceiling(bits / 64)];
        _bits = (ulong)_words.LongLength * 64;
        Hashes = Math.Max(1, (int)Math.Round(bits / capacity * Math.Log(2)));
    }

    /// <summary>The ids it was sized for; past them its false-positive rate climbs above the one asked for.</summary>
    public long Capacity { get; }

    /// <summary>Ids added (an id added twice counts twice).</summary>
    public long Count { get; private set; }

    public int Hashes { get; }

    public long Bytes => _words.LongLength * sizeof(ulong);

    public void Add(Guid id)
    {
        var (h1, h2) = Hash(id);
        for (var i = 0; i < Hashes; i++)
        {
            var bit = (h1 + (ulong)i * h2) % _bits;
            _words[bit >> 6] |= 1UL << (int)(bit & 63);
        }

        Count++;
    }

    public bool MightContain(Guid id)
    {
        var (h1, h2) = Hash(id);
        for (var i = 0; i < Hashes; i++)
        {
            var bit = (h1 + (ulong)i * h2) % _bits;
            if ((Volatile.Read(ref _words[bit >> 6]) & (1UL << (int)(bit & 63))) == 0)
            {
                return false;
            }
        }

        return true;
    }

    private static (ulong, ulong) Hash(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes);
        var low = BitConverter.ToUInt64(bytes[..8]);
        var high = BitConverter.ToUInt64(bytes[8..]);
        var h1 = Mix(low ^ Seed ^ Mix(high));
        var h2 = Mix(high ^ (Seed * 0x9E3779B97F4A7C15UL) ^ h1) | 1;
        return (h1, h2);
    }

    /// <summary>The finaliser of SplitMix64: every bit of the input affects every bit of the output.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
