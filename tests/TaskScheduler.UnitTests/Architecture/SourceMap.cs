using System.Text.RegularExpressions;

namespace TaskScheduler.UnitTests.Architecture;

/// <summary>
/// The folders of one project's sources and the arrows between them, read from the files themselves: each file's
/// namespace, its <c>using</c> directives, fully qualified names, and the types it uses from a parent namespace
/// (an arrow no <c>using</c> shows). A folder is the first directory under the project's root; its sub-folders
/// belong to it, and files at the root belong to the folder "" (the project's own root namespace).
/// </summary>
internal sealed partial class SourceMap
{
    private SourceMap(string baseNamespace, IReadOnlyList<SourceFile> files)
    {
        BaseNamespace = baseNamespace;
        Files = files;
    }

    public string BaseNamespace { get; }

    public IReadOnlyList<SourceFile> Files { get; }

    /// <summary>The folder's names, "" for the root.</summary>
    public IReadOnlySet<string> Folders => Files.Select(f => f.Folder).ToHashSet();

    /// <summary>Reads every C# file under <paramref name="directory"/> (relative to the repository), skipping build output.</summary>
    public static SourceMap Read(string directory, string baseNamespace, params string[] excludedDirectories)
    {
        var root = Path.Combine(Repository.Root, directory);
        var skipped = excludedDirectories.Select(d => Path.Combine(root, d) + Path.DirectorySeparatorChar).ToList();
        var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(root, path) && !skipped.Any(s => path.StartsWith(s, StringComparison.Ordinal)))
            .Select(path => SourceFile.Read(root, path))
            .OrderBy(f => f.RelativePath, StringComparer.Ordinal)
            .ToList();
        return new SourceMap(baseNamespace, files);
    }

    /// <summary>The namespace a file in <paramref name="relativeDirectory"/> must declare: the folders' path under the base.</summary>
    public string ExpectedNamespace(string relativeDirectory) =>
        relativeDirectory.Length == 0 ? BaseNamespace : $"{BaseNamespace}.{relativeDirectory.Replace('/', '.')}";

    /// <summary>Files whose namespace is not their folder's path under the base namespace.</summary>
    public IEnumerable<string> MisplacedNamespaces() =>
        Files.Where(f => f.Namespace is not null && f.Namespace != ExpectedNamespace(f.RelativeDirectory))
            .Select(f => $"{f.RelativePath} declares {f.Namespace}, expected {ExpectedNamespace(f.RelativeDirectory)}");

    /// <summary>Every arrow from one folder to another, once per file and target, with how it was found.</summary>
    public IReadOnlyList<Arrow> Arrows()
    {
        // What each namespace declares, and in which folders: a namespace may be spread over folders (the defect
        // this map exists to catch), so a type is attributed to the folder of the file that declares it.
        var declared = Files
            .Where(f => f.Namespace is not null)
            .SelectMany(f => f.DeclaredTypes.Select(type => (Namespace: f.Namespace!, f.Folder, Type: type)))
            .ToList();
        var arrows = new List<Arrow>();
        foreach (var file in Files)
        {
            var found = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (ns, folder, _) in declared.Where(d => d.Folder != file.Folder && file.Usings.Contains(d.Namespace)))
            {
                found.TryAdd(folder, $"using {ns}");
            }

            foreach (var (ns, folder, type) in declared)
            {
                if (folder == file.Folder || found.ContainsKey(folder))
                {
                    continue;
                }

                var why = WhyUses(file, ns, type);
                if (why is not null)
                {
                    found[folder] = why;
                }
            }

            arrows.AddRange(found.Select(f => new Arrow(file.Folder, f.Key, file.RelativePath, f.Value)));
        }

        return arrows;
    }

    /// <summary>The arrows that <paramref name="allowed"/> (folder to the folders it may use) does not list.</summary>
    public IEnumerable<string> ForbiddenArrows(IReadOnlyDictionary<string, string[]> allowed) =>
        Arrows()
            .Where(a => !allowed.TryGetValue(a.From, out var targets) || !(targets.Contains("*") || targets.Contains(a.To)))
            .Select(a => a.ToString());

    private static string? WhyUses(SourceFile file, string ns, string type)
    {
        if (Regex.IsMatch(file.Code, $@"(?<![\w.]){Regex.Escape(ns)}\.{Regex.Escape(type)}\b"))
        {
            return $"qualified name {ns}.{type}";
        }

        if (!file.UsesIdentifier(type))
        {
            return null;
        }

        if (file.Usings.Contains(ns))
        {
            return $"{type} through using {ns}";
        }

        // A type of an enclosing namespace is in scope without a using: the arrow nobody sees.
        var enclosing = file.Namespace is not null && (file.Namespace == ns || file.Namespace.StartsWith(ns + ".", StringComparison.Ordinal));
        return enclosing ? $"{type} of the enclosing namespace {ns}, without a using" : null;
    }

    private static bool IsBuildOutput(string root, string path)
    {
        var relative = Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
        return relative.StartsWith("obj/", StringComparison.Ordinal) || relative.StartsWith("bin/", StringComparison.Ordinal)
            || relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal);
    }

    internal sealed record Arrow(string From, string To, string File, string Why)
    {
        public override string ToString() => $"{Display(From)} -> {Display(To)} in {File} ({Why})";

        private static string Display(string folder) => folder.Length == 0 ? "(root)" : folder;
    }

    internal sealed partial record SourceFile(string RelativePath, string RelativeDirectory, string? Namespace, IReadOnlyList<string> Usings,
        IReadOnlyList<string> DeclaredTypes, string Code)
    {
        private readonly HashSet<string> _identifiers = Identifier().Matches(Code).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);

        /// <summary>The first directory under the project's root, "" for a file at the root.</summary>
        public string Folder => RelativeDirectory.Split('/')[0];

        public bool UsesIdentifier(string name) => _identifiers.Contains(name);

        public static SourceFile Read(string root, string path)
        {
            var relative = Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
            var directory = Path.GetDirectoryName(relative)?.Replace(Path.DirectorySeparatorChar, '/') ?? "";
            var code = WithoutCommentsAndStrings(File.ReadAllText(path));
            var ns = NamespaceDeclaration().Match(code) is { Success: true } n ? n.Groups[1].Value : null;
            var usings = UsingDirective().Matches(code).Select(m => m.Groups[1].Value).ToList();
            var types = TypeDeclaration().Matches(code).Select(m => m.Groups[1].Value).Distinct().ToList();
            return new SourceFile(relative, directory, ns, usings, types, code);
        }

        /// <summary>Comments and string literals name types in prose and messages; only code is an arrow.</summary>
        private static string WithoutCommentsAndStrings(string text) => CommentOrString().Replace(text, " ");

        [GeneratedRegex(@"^\s*namespace\s+([\w.]+)\s*[;{]", RegexOptions.Multiline)]
        private static partial Regex NamespaceDeclaration();

        [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?([\w.]+)\s*;", RegexOptions.Multiline)]
        private static partial Regex UsingDirective();

        [GeneratedRegex(@"\b(?:class|record|struct|interface|enum|delegate\s+[\w<>\[\],.? ]+?)\s+([A-Z]\w*)")]
        private static partial Regex TypeDeclaration();

        [GeneratedRegex(@"\b[A-Z]\w*\b")]
        private static partial Regex Identifier();

        [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|@""(?:""""|[^""])*""|""(?:\\.|[^""\\\n])*""", RegexOptions.Singleline)]
        private static partial Regex CommentOrString();
    }
}
