using System.Globalization;

namespace TaskScheduler.Bench;

/// <summary>
/// Which priorities the bench submits, with weights: <c>0</c> (all priority 0) or <c>0:90,5:9,9:1</c> (90% at 0,
/// 9% at 5, 1% at 9). Deterministic: task i gets the priority at position i of the repeating weighted pattern.
/// </summary>
public sealed class PriorityMix
{
    private readonly int[] _pattern;

    private PriorityMix(IReadOnlyList<(int Priority, int Weight)> parts)
    {
        Parts = parts;
        _pattern = [.. parts.SelectMany(p => Enumerable.Repeat(p.Priority, p.Weight))];
    }

    public IReadOnlyList<(int Priority, int Weight)> Parts { get; }

    public static PriorityMix Only(int priority) => new([(priority, 1)]);

    public static bool TryParse(string text, out PriorityMix? mix, out string? problem)
    {
        mix = null;
        problem = $"--priorities takes PRIORITY[:WEIGHT] items separated by commas (0:90,5:10), not '{text}'";
        var parts = new List<(int, int)>();
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var fields = item.Split(':', 2);
            if (!int.TryParse(fields[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var priority))
            {
                return false;
            }

            var weight = 1;
            if (fields.Length == 2 && (!int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out weight) || weight is < 1 or > 1000))
            {
                return false;
            }

            parts.Add((priority, weight));
        }

        problem = null;
        mix = new PriorityMix(parts);
        return true;
    }

    public int For(long index) => _pattern[index % _pattern.Length];

    public override string ToString() =>
        string.Join(',', Parts.Select(p => p.Weight == 1 && Parts.Count == 1 ? $"{p.Priority}" : $"{p.Priority}:{p.Weight}"));
}
