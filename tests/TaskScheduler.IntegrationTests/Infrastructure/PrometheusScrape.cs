using System.Globalization;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>One scrape of <c>/metrics</c>, read as a Prometheus server would: samples by name and labels.</summary>
public sealed class PrometheusScrape
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples;

    private PrometheusScrape(string text, List<(string, Dictionary<string, string>, double)> samples)
    {
        Text = text;
        _samples = samples;
    }

    public string Text { get; }

    public static async Task<PrometheusScrape> TakeAsync(HttpClient api)
    {
        var text = await api.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var samples = new List<(string, Dictionary<string, string>, double)>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.LastIndexOf(' ');
            var name = brace >= 0 ? line[..brace] : line[..space];
            var labels = brace >= 0 ? Labels(line[(brace + 1)..line.LastIndexOf('}')]) : [];
            samples.Add((name, labels, double.Parse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture)));
        }

        return new PrometheusScrape(text, samples);
    }

    /// <summary>The value of the one sample of <paramref name="name"/> with these labels (others ignored); null if absent.</summary>
    public double? Value(string name, params (string Key, string Value)[] labels) =>
        _samples
            .Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
            .Select(s => (double?)s.Value)
            .SingleOrDefault();

    /// <summary>Sum over every sample of <paramref name="name"/> (all label sets); 0 when absent.</summary>
    public double Sum(string name) => _samples.Where(s => s.Name == name).Sum(s => s.Value);

    public bool Has(string name) => _samples.Any(s => s.Name == name);

    private static Dictionary<string, string> Labels(string text)
    {
        var labels = new Dictionary<string, string>();
        var i = 0;
        while (i < text.Length)
        {
            var eq = text.IndexOf('=', i);
            var key = text[i..eq].Trim(' ', ',');
            var start = eq + 2;
            var end = start;
            while (text[end] != '"' || text[end - 1] == '\\')
            {
                end++;
            }

            labels[key] = text[start..end];
            i = end + 1;
        }

        return labels;
    }
}
