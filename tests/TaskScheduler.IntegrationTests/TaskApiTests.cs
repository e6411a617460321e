using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>The HTTP task API's representation of what handlers return and producers ask for.</summary>
[TestFixture]
[Category("integration")]
public class TaskApiTests : SharedSystemTests
{
    /// <summary>No worker: the first two tests only submit; the result test brings a scripted worker on a system of its own.</summary>
    protected override Task StartAsync(TestSystem system) => system.StartSchedulerAsync();

    [Test]
    public async Task PostedTimeout_ComesBackInTheStatus_InAFormASubmissionAccepts()
    {
        var system = SharedSystem;

        var written = new Dictionary<string, TimeSpan>
        {
            ["PT5M"] = TimeSpan.FromMinutes(5),
            ["P1DT2H30M"] = new TimeSpan(1, 2, 30, 0),
            ["00:00:01.5"] = TimeSpan.FromSeconds(1.5),
        };
        foreach (var (text, expected) in written)
        {
            using var response = await system.Api.PostAsJsonAsync(new Uri("/api/tasks", UriKind.Relative), new { payload = $"within {text}", timeout = text });
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
            var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

            using var status = JsonDocument.Parse(await system.Api.GetStringAsync(new Uri($"/api/tasks/{id}", UriKind.Relative)));
            var timeout = status.RootElement.GetProperty("timeout").GetString();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(TaskTimeout.TryParse(timeout, out var read, out var problem), Is.True, problem);
                Assert.That(read, Is.EqualTo(expected), $"{text} came back as {timeout}");
            }
        }

        using var without = await system.Api.PostAsJsonAsync(new Uri("/api/tasks", UriKind.Relative), new { payload = "no limit" });
        var plain = (await without.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.That((await system.GetTaskAsync(plain))?.Timeout, Is.Null, "no timeout leaves it to the worker's default");
    }

    [Test]
    public async Task InvalidSubmissions_AreAnswered400_AndCountedAsRejected_AsOnTheBroker()
    {
        var system = SharedSystem;
        var before = (await system.GetCountersAsync()).GetProperty("rejected").GetInt64();

        string[] bad = ["not JSON", """{"payload": 5}""", "[]", """[{"payload": "a graph task needs its id"}]"""];
        foreach (var body in bad)
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await system.Api.PostAsync(new Uri("/api/tasks", UriKind.Relative), content);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body);
        }

        // The count is the loop's: it shows in the view the loop publishes after the refusals' group.
        var rejected = await Eventually.Returns(
            async () => (await system.GetCountersAsync()).GetProperty("rejected").GetInt64(),
            count => count >= before + bad.Length,
            TimeSpan.FromSeconds(30),
            $"{bad.Length} more rejections counted");
        Assert.That(rejected, Is.EqualTo(before + bad.Length));
    }

    [Test]
    public async Task ResultEndpoint_ReturnsTheResultAsText_AndSaysWhyWhenThereIsNone()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        await using var worker = await ScriptedWorker.StartAsync(system, "api-scripted", capacity: 3);
        await system.WaitForWorkersAsync("api-scripted");
        var big = new SubmitTask(Guid.NewGuid(), "a big answer", 0);
        var nothing = new SubmitTask(Guid.NewGuid(), "no answer", 0);
        var failing = new SubmitTask(Guid.NewGuid(), "a wrong answer", 0);
        await system.SubmitAllAsync([big, nothing, failing]);
        foreach (var task in new[] { big, nothing, failing })
        {
            await worker.WaitForAssignmentAsync(task.Id);
        }

        using (var running = await GetResultAsync(system, big.Id))
        {
            Assert.That(running.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "a running task has no result yet");
        }

        // Over 64 KiB, so no task event carries it; non-ASCII, lines and quotes, which JSON would escape.
        var result = string.Concat(Enumerable.Range(0, 4000).Select(i => $"ligne {i}: «déjà vu» \"ok\" ✓ 🙂\n"));
        await worker.CompleteAsync(big.Id, result);
        await worker.CompleteAsync(nothing.Id, null);
        await worker.FailAsync(failing.Id, "no");
        var finals = await system.WaitForFinalStatesAsync([big.Id, nothing.Id, failing.Id], TimeSpan.FromSeconds(60));
        Assert.That(
            new[] { big.Id, nothing.Id, failing.Id }.Select(id => finals.GetValueOrDefault(id)?.State),
            Is.EqualTo(new TaskState?[] { TaskState.Completed, TaskState.Completed, TaskState.Failed }));

        using var whole = await GetResultAsync(system, big.Id);
        using var none = await GetResultAsync(system, nothing.Id);
        using var failed = await GetResultAsync(system, failing.Id);
        using var unknown = await GetResultAsync(system, Guid.NewGuid());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(whole.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(whole.Content.Headers.ContentType?.ToString(), Is.EqualTo("text/plain; charset=utf-8"));
            Assert.That(await whole.Content.ReadAsByteArrayAsync(), Is.EqualTo(Encoding.UTF8.GetBytes(result)), "byte for byte");
            Assert.That(finals[big.Id].Result, Is.EqualTo(result), "GET /api/tasks/{id} carries it too");
            Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(await none.Content.ReadAsStringAsync(), Does.Contain("without a result"));
            Assert.That(failed.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(await failed.Content.ReadAsStringAsync(), Does.Contain("Failed"));
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        }
    }

    private static Task<HttpResponseMessage> GetResultAsync(TestSystem system, Guid id) =>
        system.Api.GetAsync(new Uri($"/api/tasks/{id}/result", UriKind.Relative));
}
