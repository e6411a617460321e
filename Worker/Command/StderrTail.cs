using System.Text;

namespace TaskScheduler.Worker.Command;

/// <summary>The last few kilobytes of a command's error output: what a failed attempt's error shows.</summary>
public sealed class StderrTail
{
    public const int DefaultMaxChars = 4096;

    private readonly Queue<string> _lines = new();
    private readonly int _maxChars;
    private int _chars;

    public StderrTail(int maxChars = DefaultMaxChars) => _maxChars = maxChars;

    public void Add(string line)
    {
        if (line.Length > _maxChars)
        {
            line = line[^_maxChars..];
        }

        _lines.Enqueue(line);
        _chars += line.Length + 1;
        while (_chars > _maxChars && _lines.Count > 1)
        {
            _chars -= _lines.Dequeue().Length + 1;
        }
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var line in _lines)
        {
            text.Append(line).Append('\n');
        }

        return text.ToString().TrimEnd();
    }
}
