namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>Finds the programs under test, built in the same configuration as this test assembly.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } =
        new DirectoryInfo(TestContext.CurrentContext.TestDirectory).Parent!.Name;

    public static string Program(string project, string assembly)
    {
        var path = Path.Combine(Root, project, "bin", Configuration, "net10.0", assembly);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{assembly} is not built; build the solution first", path);
    }

    private static string FindRoot()
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
