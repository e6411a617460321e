namespace TaskScheduler.UnitTests;

/// <summary>The repository's root, found from the test's directory, for tests that read its files.</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TaskScheduler.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("TaskScheduler.sln not found above the test directory");
    }
}
