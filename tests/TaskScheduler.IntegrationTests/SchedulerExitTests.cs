using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>A scheduler that cannot go on exits non-zero and says why, so that a supervisor restarts it.</summary>
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

    [Test]
    public async Task Scheduler_WhoseJournalDiskFillsWhileItRuns_ExitsNonZero_WithOneLineSayingWhy()
    {
        await using var system = await TestSystem.CreateAsync();
        var disk = Path.Combine(system.Directory, "small-disk");
        Directory.CreateDirectory(disk);
        // A 2 MiB file system of its own (needs root, as on the CI machines), so that the journal's disk fills up.
        if (await MountAsync("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", disk) != 0)
        {
            Assert.Ignore("mounting a tmpfs needs root");
        }

        try
        {
            await system.StartSchedulerAsync([$"--Journal:Path={Path.Combine(disk, "journal.db")}"]);
            var scheduler = system.Scheduler!;
            for (var i = 0; i < 40 && !scheduler.HasExited; i++)
            {
                await system.SubmitAsync(Tasks.New(payload: new string('x', 200_000)));
            }

            var exited = await scheduler.WaitForExitAsync(TimeSpan.FromSeconds(90));
            var log = scheduler.ReadLog();
            var failureLines = log.Split('\n').Where(l => l.StartsWith("scheduler failed: ", StringComparison.Ordinal)).ToList();
            await TestContext.Out.WriteLineAsync($"disk full: exit code {(exited ? scheduler.ExitCode : -1)}, {string.Join(" | ", failureLines)}");

            using (Assert.EnterMultipleScope())
            {
                Assert.That(exited, Is.True, "the scheduler keeps running without a journal");
                Assert.That(scheduler.ExitCode, Is.EqualTo(1));
                Assert.That(failureLines, Has.Count.EqualTo(1), log);
            }
        }
        finally
        {
            system.Scheduler?.Kill9();
            await MountAsync("umount", disk);
        }
    }

    private static async Task<int> MountAsync(string program, params string[] args)
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(program, args);
            await process.WaitForExitAsync();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
