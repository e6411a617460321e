using System.Security.Cryptography;
using System.Text;
using TaskScheduler.Client.Events;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// 1 MiB payloads live in files beside the journal (<c>journal-payloads/</c>): they survive a kill -9 of the
/// scheduler, reach a real handler byte for byte, and their files go with retention.
/// </summary>
[TestFixture]
[Category("integration")]
public class LargePayloadTests
{
    private const int OneMiB = 1024 * 1024;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private static string Script => Path.Combine(TestContext.CurrentContext.TestDirectory, "Scripts", "command_worker.py");

    [Test]
    public async Task OneMiBTasks_AcceptedBeforeAKill9_ReachTheHandlerByteForByte_AndTheirFilesGoWithRetention()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        var files = Path.Combine(system.Directory, "journal-payloads");
        var random = new Random(16);
        var tasks = Enumerable.Range(0, 6).Select(i => Tasks.New(priority: i % 3, payload: LargePayload(random, "sha256"))).ToList();
        var failing = Tasks.New(payload: LargePayload(random, "fail"));
        await system.SubmitAllAsync([.. tasks, failing]);
        await WaitUntilAsync(async () => (await Task.WhenAll(tasks.Append(failing).Select(t => system.GetTaskAsync(t.Id)))).All(s => s is not null), "all seven to be accepted");
        var stored = Directory.GetFiles(files).Length;

        // No worker yet: every payload waits in its file when the scheduler dies, and must come from there afterwards.
        system.Scheduler!.Kill9();
        await system.Scheduler.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await system.StartSchedulerAsync(["--Journal:PayloadRetention=00:00:03", "--Journal:FailedRetention=00:00:03"]);
        await using var events = await system.RecordEventsAsync();
        system.StartWorker("python", capacity: 2, extraArgs: ["--Worker:Handler=command", "--Worker:Command:0=python3", $"--Worker:Command:1={Script}"]);
        var finals = await system.WaitForFinalStatesAsync(tasks.Select(t => t.Id), Patience);
        await events.WaitForFinalAsync([failing.Id], Patience);
        await WaitUntilAsync(() => Task.FromResult(Directory.GetFiles(files).Length == 0), "retention to delete every payload file");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(stored, Is.EqualTo(7), "each accepted 1 MiB payload in a file of its own");
            foreach (var task in tasks)
            {
                Assert.That(finals.GetValueOrDefault(task.Id)?.State, Is.EqualTo(TaskState.Completed), finals.GetValueOrDefault(task.Id)?.Error);
                Assert.That(finals.GetValueOrDefault(task.Id)?.Result, Is.EqualTo(Sha256(task.Payload)), "the handler read the payload as submitted");
                Assert.That(finals.GetValueOrDefault(task.Id)?.Attempts, Is.EqualTo(1));
            }

            Assert.That(events.Finals()[failing.Id].Kind, Is.EqualTo(TaskEventKind.Failed));
            Assert.That(await system.GetTaskAsync(failing.Id), Is.Null, "the failed task expired, its payload file with it");
            Assert.That((await system.GetTaskAsync(tasks[0].Id))?.State, Is.EqualTo(TaskState.Completed), "a completed task stays, without its payload");
        }
    }

    /// <summary>VERB, a blank, then random text (ASCII, accents, CJK) up to 1 MiB of UTF-8.</summary>
    private static string LargePayload(Random random, string verb)
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 éüß世界";
        var text = new StringBuilder(verb).Append(' ');
        var bytes = Encoding.UTF8.GetByteCount(text.ToString());
        while (true)
        {
            var c = Alphabet[random.Next(Alphabet.Length)];
            var size = Encoding.UTF8.GetByteCount([c]);
            if (bytes + size > OneMiB)
            {
                return text.ToString();
            }

            text.Append(c);
            bytes += size;
        }
    }

    private static string Sha256(string payload) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(payload)));

    private static Task WaitUntilAsync(Func<Task<bool>> condition, string what) => Eventually.That(condition, Patience, what);
}
