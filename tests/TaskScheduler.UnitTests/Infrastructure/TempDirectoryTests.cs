namespace TaskScheduler.UnitTests;

/// <summary>A test class whose tests each get an empty directory of their own, deleted after the test.</summary>
public abstract class TempDirectoryTests
{
    /// <summary>The current test's directory.</summary>
    protected string TestDirectory { get; private set; } = "";

    [SetUp]
    public void CreateTestDirectory()
    {
        TestDirectory = Path.Combine(Path.GetTempPath(), $"{GetType().Name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(TestDirectory);
    }

    [TearDown]
    public void DeleteTestDirectory() => Directory.Delete(TestDirectory, recursive: true);
}
