using System.Globalization;

namespace TaskScheduler.Worker.Command;

/// <summary>
/// What a command says on standard error besides its errors: <c>progress: 0.4 some text</c> reports progress (a
/// fraction from 0 to 1, then an optional message), <c>checkpoint: TEXT</c> saves TEXT (the rest of the line) as the
/// task's checkpoint. Any other line is ordinary error output.
/// </summary>
public static class StderrLine
{
    public const string ProgressPrefix = "progress:";
    public const string CheckpointPrefix = "checkpoint:";

    public static bool TryReadProgress(string line, out double fraction, out string? message)
    {
        fraction = 0;
        message = null;
        if (!line.StartsWith(ProgressPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = line.AsSpan(ProgressPrefix.Length).Trim();
        var end = rest.IndexOfAny(' ', '\t');
        var number = end < 0 ? rest : rest[..end];
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out fraction) || double.IsNaN(fraction))
        {
            return false;
        }

        fraction = Math.Clamp(fraction, 0, 1);
        var text = end < 0 ? "" : rest[end..].Trim().ToString();
        message = text.Length == 0 ? null : text;
        return true;
    }

    public static bool TryReadCheckpoint(string line, out string checkpoint)
    {
        checkpoint = "";
        if (!line.StartsWith(CheckpointPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = line.AsSpan(CheckpointPrefix.Length);
        checkpoint = (rest.Length > 0 && rest[0] == ' ' ? rest[1..] : rest).ToString();
        return true;
    }
}
