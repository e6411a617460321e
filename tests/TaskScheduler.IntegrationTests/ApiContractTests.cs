using System.Net;
using System.Text;
using System.Text.Json;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>
/// The HTTP API describes itself (an OpenAPI document a client can be built from) and guards its actions by role:
/// read, submit, operate; refusals are problem details.
/// </summary>
[TestFixture]
[Category("integration")]
public class ApiContractTests
{
    private const string ViewerKey = "viewer-key-0123456789";
    private const string SubmitterKey = "submitter-key-0123456789";
    private const string OperatorKey = "operator-key-0123456789";

    [Test]
    public async Task OpenApiDocument_ListsEveryEndpoint_AndAClientBuiltFromItWorks()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();

        var client = await OpenApiClient.LoadAsync(system.Api, "/openapi/v1.json");
        using var submitted = await client.CallAsync("submitTask", new Dictionary<string, string>(),
            new StringContent("{\"payload\": \"from the document\", \"priority\": 3}", Encoding.UTF8, "application/json"));
        var id = JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        using var batch = await client.CallAsync("submitTaskBatch", new Dictionary<string, string>(),
            new StringContent("{\"tasks\": [{\"payload\": \"a batch from the document\"}]}", Encoding.UTF8, "application/json"));
        var batchAnswer = JsonDocument.Parse(await batch.Content.ReadAsStringAsync()).RootElement;
        using var listed = await client.CallAsync("listTasks", new Dictionary<string, string> { ["payloadPrefix"] = "from the doc", ["limit"] = "10" });
        var page = JsonDocument.Parse(await listed.Content.ReadAsStringAsync()).RootElement;
        using var found = await client.CallAsync("getTask", new Dictionary<string, string> { ["id"] = id });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(client.Operations(), Is.SupersetOf(new[]
            {
                "GET /api/tasks", "POST /api/tasks", "POST /api/tasks/batch", "POST /api/tasks/retry",
                "GET /api/tasks/{id}", "DELETE /api/tasks/{id}", "GET /api/tasks/{id}/result", "GET /api/tasks/{id}/history",
                "POST /api/tasks/{id}/cancel", "POST /api/tasks/{id}/retry", "PUT /api/tasks/{id}/priority",
                "GET /api/workers", "GET /api/stats", "GET /api/dashboard", "GET /api/autoscale",
                "GET /api/schedules", "POST /api/schedules", "GET /api/schedules/{name}", "DELETE /api/schedules/{name}",
                "POST /api/schedules/{name}/pause", "POST /api/schedules/{name}/resume", "GET /api/pools", "GET /api/groups",
            }));
            Assert.That(client.Document.Paths.Values.SelectMany(p => p.Operations!.Values).Select(o => o.OperationId), Is.All.Not.Null,
                "every operation is named, so generated clients get method names");
            Assert.That(submitted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(batch.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(batchAnswer.GetProperty("tasks")[0].GetProperty("outcome").GetString(), Is.EqualTo("accepted"));
            Assert.That(listed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(page.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("id").GetString()), Is.EqualTo(new[] { id }));
            Assert.That(found.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
    }

    [Test]
    public async Task EachAction_WithoutTheRightRole_IsRefusedAsProblemDetails()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync(
        [
            $"--Api:Keys:viewer:Key={ViewerKey}", "--Api:Keys:viewer:Roles:0=read",
            $"--Api:Keys:producer:Key={SubmitterKey}", "--Api:Keys:producer:Roles:0=submit",
            $"--Api:Keys:ops:Key={OperatorKey}", "--Api:Keys:ops:Roles:0=read", "--Api:Keys:ops:Roles:1=operate",
        ]);
        var task = Guid.NewGuid();
        using (var accepted = await SendAsync(system, HttpMethod.Post, "/api/tasks", SubmitterKey, $"{{\"id\": \"{task}\", \"payload\": \"guarded\"}}"))
        {
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), "a producer submits");
        }

        (HttpMethod Method, string Path, string? Body)[] actions =
        [
            (HttpMethod.Post, $"/api/tasks/{task}/cancel", "{}"),
            (HttpMethod.Post, $"/api/tasks/{task}/retry", "{}"),
            (HttpMethod.Post, "/api/tasks/retry?state=failed", "{}"),
            (HttpMethod.Put, $"/api/tasks/{task}/priority", "{\"priority\": 9}"),
            (HttpMethod.Delete, $"/api/tasks/{task}", null),
        ];
        foreach (var (method, path, body) in actions)
        {
            foreach (var key in new[] { ViewerKey, SubmitterKey })
            {
                using var refused = await SendAsync(system, method, path, key, body);
                var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
                using (Assert.EnterMultipleScope())
                {
                    Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), $"{method} {path} with a key without operate");
                    Assert.That(refused.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
                    Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo(403));
                    Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("lacks the role operate"));
                }
            }

            using var anonymous = await SendAsync(system, method, path, null, body);
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"{method} {path} without a key");
        }

        using var viewerSubmits = await SendAsync(system, HttpMethod.Post, "/api/tasks", ViewerKey, "{\"payload\": \"not mine to give\"}");
        using var viewerBatch = await SendAsync(system, HttpMethod.Post, "/api/tasks/batch", ViewerKey, "{\"tasks\": [{\"payload\": \"not mine to give\"}]}");
        using var viewerReads = await SendAsync(system, HttpMethod.Get, "/api/tasks?state=pending", ViewerKey, null);
        using var anonymousReads = await SendAsync(system, HttpMethod.Get, $"/api/tasks/{task}", null, null);
        using var unknownKey = await SendAsync(system, HttpMethod.Get, $"/api/tasks/{task}", "not-a-key-of-this-scheduler", null);
        using var operatorRaises = await SendAsync(system, HttpMethod.Put, $"/api/tasks/{task}/priority", OperatorKey, "{\"priority\": 9, \"reason\": \"urgent\"}");
        using var operatorCancels = await SendAsync(system, HttpMethod.Post, $"/api/tasks/{task}/cancel", OperatorKey, "{\"reason\": \"done with it\"}");
        var history = await system.GetHistoryAsync(task);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(viewerSubmits.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "a viewer does not submit");
            Assert.That(viewerBatch.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "a viewer does not submit a batch either");
            Assert.That(viewerReads.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(anonymousReads.StatusCode, Is.EqualTo(HttpStatusCode.OK), "reads stay open on loopback");
            Assert.That(unknownKey.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(operatorRaises.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(operatorCancels.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(history!.Select(h => h.Detail), Does.Contain("0 to 9 by ops: urgent").And.Contain("cancelled on request: done with it (by ops)"));
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(TestSystem system, HttpMethod method, string path, string? key, string? body)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative))
        {
            Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        return await system.Api.SendAsync(request);
    }
}
