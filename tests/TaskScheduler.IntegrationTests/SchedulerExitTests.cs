using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// A scheduler that cannot go on exits non-zero and says why, so that a supervisor restarts it. A journal disk that
/// fills up while the scheduler runs is not such a case any more: DiskFullTests.
/// </summary>
[TestFixture]
[Category("integration")]
public class SchedulerExitTests
{
    [TestCase("a directory")]
    [TestCase("not a LiteDB file")]
    public async Task Scheduler_WhoseJournalIsUnusable_ExitsNonZero_WithOneLineSayingWhy(string journal)
    {
        await using var system = await TestSystem.CreateAsync();
        if (journal == "a directory")
        {
            Directory.CreateDirectory(system.JournalPath);
        }
        else
        {
            await File.WriteAllBytesAsync(system.JournalPath, [.. Enumerable.Range(0, 64 * 1024).Select(i => (byte)(i * 31 % 251))]);
        }

        var scheduler = system.Start("scheduler", Repository.Program("Scheduler", "TaskScheduler.Scheduler.dll"),
        [
            "--urls", system.SchedulerUrl,
            $"--Broker:Url={system.BrokerUrl}",
            $"--Broker:Prefix={system.Prefix}",
            $"--Journal:Path={system.JournalPath}",
        ]);

        var exited = await scheduler.WaitForExitAsync(TimeSpan.FromSeconds(90));
        var log = scheduler.ReadLog();
        var failureLines = log.Split('\n').Where(l => l.StartsWith("scheduler failed: ", StringComparison.Ordinal)).ToList();
        await TestContext.Out.WriteLineAsync($"journal is {journal}: exit code {(exited ? scheduler.ExitCode : -1)}, {string.Join(" | ", failureLines)}");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exited, Is.True, "the scheduler keeps running on an unusable journal");
            Assert.That(scheduler.ExitCode, Is.EqualTo(1));
            Assert.That(failureLines, Has.Count.EqualTo(1), log);
            Assert.That(log, Does.Contain($"Opening the journal {system.JournalPath}"));
        }
    }
}
