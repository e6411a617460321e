using System.Text;

namespace TaskScheduler.Worker.Command;

/// <summary>
/// Splits <c>Worker:Command</c> into a program and its arguments as a POSIX shell would, without running one:
/// blanks separate words; <c>'…'</c> keeps everything literally; <c>"…"</c> keeps blanks and honours <c>\"</c> and
/// <c>\\</c>; a backslash outside quotes escapes the next character. No variables, globs or redirections.
/// </summary>
public static class CommandLine
{
    public static bool TryParse(string text, out IReadOnlyList<string> words, out string? problem)
    {
        var result = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote == '\'')
            {
                if (c == '\'')
                {
                    quote = null;
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (quote == '"')
            {
                if (c == '"')
                {
                    quote = null;
                }
                else if (c == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\' or '$' or '`')
                {
                    word.Append(text[++i]);
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    result.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                inWord = true;
                if (c is '\'' or '"')
                {
                    quote = c;
                }
                else if (c == '\\' && i + 1 < text.Length)
                {
                    word.Append(text[++i]);
                }
                else
                {
                    word.Append(c);
                }
            }
        }

        if (quote is not null)
        {
            words = [];
            problem = $"an opening {quote} is never closed";
            return false;
        }

        if (inWord)
        {
            result.Add(word.ToString());
        }

        words = result;
        problem = result.Count == 0 ? "it names no program" : null;
        return result.Count > 0;
    }
}
