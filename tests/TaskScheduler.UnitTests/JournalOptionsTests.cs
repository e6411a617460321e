using TaskScheduler.Scheduler;

namespace TaskScheduler.UnitTests;

public class JournalOptionsTests
{
    private static readonly string ContentRoot = Path.Combine(Path.GetTempPath(), "scheduler-bin");

    [Test]
    public void FullPath_TakesARelativePathFromTheContentRoot_NotTheWorkingDirectory()
    {
        var options = new JournalOptions();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.FullPath(ContentRoot), Is.EqualTo(Path.Combine(ContentRoot, "data", "journal.db")));
            Assert.That(new JournalOptions { Path = "../state/j.db" }.FullPath(ContentRoot), Is.EqualTo(Path.Combine(Path.GetTempPath(), "state", "j.db")));
        }
    }

    [Test]
    public void FullPath_KeepsAnAbsolutePath()
    {
        var absolute = Path.Combine(Path.GetTempPath(), "elsewhere", "journal.db");

        Assert.That(new JournalOptions { Path = absolute }.FullPath(ContentRoot), Is.EqualTo(absolute));
    }
}
