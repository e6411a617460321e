using System.Net.Http.Json;
using TaskScheduler.Contracts;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>Tasks that require worker tags wait for a worker that has them, and run only there.</summary>
[TestFixture]
[Category("integration")]
public class WorkerPoolTests
{
    [Test]
    public async Task TaskRequiringGpu_WaitsUntilAGpuWorkerJoins_ThenRunsOnlyThere()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync(["--Autoscale:TargetBacklogTime=00:00:05", "--Autoscale:DefaultRunTime=00:00:01"]);
        system.StartWorker("plain", capacity: 4);
        await system.WaitForWorkersAsync("plain");
        await using var events = await system.RecordEventsAsync();

        var gpu = Enumerable.Range(0, 6).Select(_ => Tasks.New() with { Requires = ["gpu"] }).ToList();
        var plain = Enumerable.Range(0, 6).Select(_ => Tasks.New()).ToList();
        await system.SubmitAllAsync([.. gpu, .. plain]);
        var cli = await CliRun.RunAsync(system, null, "submit", "via the cli", "--requires", "gpu", "--json");
        Assert.That(cli.ExitCode, Is.Zero, cli.Error);
        var fromCli = System.Text.Json.JsonDocument.Parse(cli.Out).RootElement.GetProperty("id").GetGuid();
        gpu.Add(Tasks.New() with { Id = fromCli });

        // The plain tasks run meanwhile on the plain worker; the gpu tasks wait, and say why.
        var plainFinals = await system.WaitForFinalStatesAsync(plain.Select(t => t.Id), TimeSpan.FromSeconds(60));
        var waiting = await system.GetTaskAsync(gpu[0].Id);
        var autoscale = await system.Api.GetFromJsonAsync(new Uri("/api/autoscale", UriKind.Relative), WireJson.Default.AutoscaleView);

        system.StartWorker("g1", capacity: 2, extraArgs: ["--Worker:Tags=gpu,eu-west"]);
        var gpuFinals = await system.WaitForFinalStatesAsync(gpu.Select(t => t.Id), TimeSpan.FromSeconds(90));
        var runs = events.Snapshot().Where(e => e.State == TaskState.Running).ToList();
        var workers = await system.GetWorkersAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plainFinals.Values.Select(f => f.State), Is.All.EqualTo(TaskState.Completed));
            Assert.That(waiting!.State, Is.EqualTo(TaskState.Pending));
            Assert.That(waiting.PendingReason, Is.EqualTo("no live worker has tag gpu"));
            Assert.That(waiting.Requires, Is.EqualTo(new[] { "gpu" }));
            var gpuPool = autoscale!.Pools.SingleOrDefault(p => p.Pool == "gpu");
            Assert.That(gpuPool?.Pending, Is.EqualTo(7), "the gpu pool's backlog");
            Assert.That(gpuPool?.DesiredWorkers, Is.GreaterThanOrEqualTo(1), "the gpu pool asks for a worker of its own");
            Assert.That(gpuPool?.CurrentWorkers, Is.Zero);

            Assert.That(gpuFinals, Has.Count.EqualTo(gpu.Count));
            Assert.That(gpuFinals.Values.Select(f => f.State), Is.All.EqualTo(TaskState.Completed));
            Assert.That(gpuFinals.Values.Select(f => f.WorkerId).Distinct(), Is.EqualTo(new[] { "g1" }));
            var gpuIds = gpu.Select(t => t.Id).ToHashSet();
            Assert.That(runs.Where(r => gpuIds.Contains(r.TaskId)).Select(r => r.WorkerId).Distinct(), Is.EqualTo(new[] { "g1" }),
                "no attempt of a gpu task ran anywhere else");
            Assert.That(workers.Single(w => w.Id == "g1").Tags, Is.EqualTo(new[] { "eu-west", "gpu" }));
        }
    }
}
