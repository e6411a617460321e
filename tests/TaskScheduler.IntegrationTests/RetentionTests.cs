using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TaskScheduler.Client.Events;
using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>Finished tasks expire after <c>Journal:Retention</c>; what an expired id then means to a user.</summary>
[TestFixture]
[Category("integration")]
public class RetentionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Test]
    public async Task FinishedTasks_ExpireAfterTheirRetention_UnfinishedOnesStay_AndAnExpiredIdIsNewAgain()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync(["--Journal:Retention=00:00:02"]);
        system.StartWorker("w1");
        await system.WaitForWorkersAsync("w1");
        await using var events = await system.RecordEventsAsync();

        var done = await PostAsync(system, new { id = Guid.NewGuid(), payload = "done, then forgotten" });
        var other = await PostAsync(system, new { id = Guid.NewGuid(), payload = "done as well" });
        var running = await PostAsync(system, new { payload = "sim:run=120000ms;still running" });
        var waiting = await PostAsync(system, new { payload = "waits for the running one", dependsOn = new[] { running } });
        // From the events: the journal may forget them before a poll of their status comes round.
        await events.WaitForFinalAsync([done, other], Patience);
        Assert.That(new[] { done, other }.Select(id => events.Finals()[id].Kind), Is.All.EqualTo(TaskEventKind.Completed), "both complete first");

        var expired = await AwaitNotFoundAsync(system, done);
        await AwaitNotFoundAsync(system, other);
        var cli = await CliRun.RunAsync(system, null, "status", done.ToString());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(expired, Does.Contain($"task {done} is unknown or expired"));
            Assert.That(cli.ExitCode, Is.EqualTo(7), cli.Error);
            Assert.That(cli.Error, Does.Contain("unknown or expired"));
            Assert.That((await system.GetTaskAsync(running))?.State, Is.EqualTo(TaskState.Running), "an unfinished task stays");
            Assert.That((await system.GetTaskAsync(waiting))?.State, Is.EqualTo(TaskState.Pending), "so does one waiting on it");
        }

        // Other content under the expired id: before expiry a conflict (409), now simply a new task. A long one, so
        // that it is still there to be looked at.
        const string SecondLife = "sim:run=120000ms;a second life";
        using var again = await system.Api.PostAsJsonAsync(new Uri("/api/tasks", UriKind.Relative), new { id = done, payload = SecondLife });
        using var dependent = await system.Api.PostAsJsonAsync(
            new Uri("/api/tasks", UriKind.Relative), new { payload = "needs the expired one", dependsOn = new[] { other } });
        await events.WaitUntilAsync(
            seen => seen.Count(e => e.TaskId == done && e.Kind == TaskEventKind.Running) >= 2, Patience, "the new task under the expired id to run");
        var secondLife = await system.GetTaskAsync(done);
        var counters = await system.GetCountersAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await again.Content.ReadAsStringAsync());
            Assert.That(secondLife?.State, Is.EqualTo(TaskState.Running), "the new task runs");
            Assert.That(secondLife?.Attempts, Is.EqualTo(1), "as a task of its own, on its first attempt");
            Assert.That(secondLife?.PayloadBytes, Is.EqualTo(SecondLife.Length), "with the new content");
            Assert.That(dependent.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await dependent.Content.ReadAsStringAsync(), Does.Contain($"depends on task {other}, which is unknown or expired"));
            Assert.That(counters.GetProperty("expired").GetInt64(), Is.GreaterThanOrEqualTo(2));
        }
    }

    private static async Task<Guid> PostAsync(TestSystem system, object task)
    {
        using var response = await system.Api.PostAsJsonAsync(new Uri("/api/tasks", UriKind.Relative), task);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>Asks for the task until the scheduler answers 404, and returns what it said.</summary>
    private static async Task<string> AwaitNotFoundAsync(TestSystem system, Guid id)
    {
        var answer = await Eventually.Returns(
            async () =>
            {
                using var response = await system.Api.GetAsync(new Uri($"/api/tasks/{id}", UriKind.Relative));
                return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
            },
            answer => answer.StatusCode == HttpStatusCode.NotFound,
            Patience,
            $"task {id} to be forgotten (its retention is 2 s)");
        return answer.Body;
    }
}
