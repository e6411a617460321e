using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;

namespace TaskScheduler.IntegrationTests;

/// <summary>/metrics as Prometheus scrapes it: the figures move as tasks are queued, run, complete and fail.</summary>
[TestFixture]
[Category("integration")]
public class MetricsTests
{
    [Test]
    public async Task Metrics_CountQueueAndTimeTasks_AsTheyRun()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();

        var before = await PrometheusScrape.TakeAsync(system.Api);

        // No worker yet: the tasks wait, and the queue depth shows them by priority.
        var high = Enumerable.Range(0, 3).Select(i => new SubmitTask(Guid.NewGuid(), $"metrics high {i}", 7)).ToList();
        var low = Enumerable.Range(0, 5).Select(i => new SubmitTask(Guid.NewGuid(), $"metrics low {i}", 1)).ToList();
        await system.SubmitAllAsync(high.Concat(low));
        var queued = await ScrapeUntilAsync(system, s => s.Value("taskscheduler_tasks_accepted_total") == 8);

        system.StartWorker("metrics-worker", capacity: 3, maxRun: TimeSpan.FromMilliseconds(30));
        await system.WaitForWorkersAsync("metrics-worker");
        var done = await ScrapeUntilAsync(system, s => s.Value("taskscheduler_tasks_completed_total") == 8);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(before.Value("taskscheduler_tasks_accepted_total"), Is.Zero);
            Assert.That(before.Value("taskscheduler_workers_alive"), Is.Zero);

            Assert.That(queued.Value("taskscheduler_queue_depth", ("priority", "7")), Is.EqualTo(3));
            Assert.That(queued.Value("taskscheduler_queue_depth", ("priority", "1")), Is.EqualTo(5));
            Assert.That(queued.Value("taskscheduler_tasks_pending"), Is.EqualTo(8));

            Assert.That(done.Value("taskscheduler_tasks_accepted_total"), Is.EqualTo(8));
            Assert.That(done.Value("taskscheduler_tasks_failed_total"), Is.Zero);
            Assert.That(done.Value("taskscheduler_tasks_rejected_total"), Is.Zero);
            Assert.That(done.Value("taskscheduler_workers_alive"), Is.EqualTo(1));
            Assert.That(done.Value("taskscheduler_workers_desired"), Is.GreaterThanOrEqualTo(1), "the autoscaling figure, never under its minimum");
            Assert.That(done.Value("taskscheduler_worker_capacity", ("worker", "metrics-worker")), Is.EqualTo(3));
            Assert.That(done.Value("taskscheduler_worker_in_flight", ("worker", "metrics-worker")), Is.Zero);
            Assert.That(done.Value("taskscheduler_worker_utilization", ("worker", "metrics-worker")), Is.Zero);
            Assert.That(done.Sum("taskscheduler_queue_depth"), Is.Zero, "nothing waits any more");
            Assert.That(done.Value("taskscheduler_task_assignment_delay_seconds_count"), Is.EqualTo(8));
            Assert.That(done.Value("taskscheduler_task_run_time_seconds_count", ("outcome", "completed")), Is.EqualTo(8));
            Assert.That(done.Value("taskscheduler_task_submit_to_done_seconds_count", ("outcome", "completed")), Is.EqualTo(8));
            Assert.That(done.Value("taskscheduler_task_submit_to_done_seconds_sum", ("outcome", "completed")), Is.Positive);
            Assert.That(done.Value("taskscheduler_journal_commit_time_seconds_count"), Is.GreaterThan(before.Value("taskscheduler_journal_commit_time_seconds_count") ?? 0));
            Assert.That(done.Has("taskscheduler_throughput"), Is.True);
        }

        // The documents follow behind the loop: each task's is inserted once, and the carry empties.
        var written = await ScrapeUntilAsync(system, s =>
            s.Value("taskscheduler_journal_documents_written_total", ("kind", "inserted")) == 8 && s.Value("taskscheduler_journal_carried_tasks") == 0);
        Assert.That(written.Value("taskscheduler_journal_documents_written_total", ("kind", "updated")), Is.InRange(0, 8),
            "a task is updated only if its document was written while it waited");

        // A worker whose every run fails, beside the healthy one, and an unreadable submission: their counters move too.
        system.StartWorker("metrics-failing", capacity: 1, failureRate: 1);
        await system.WaitForWorkersAsync("metrics-worker", "metrics-failing");
        await system.PublishAsync("{ not json"u8.ToArray());
        var failing = Enumerable.Range(0, 6).Select(i => new SubmitTask(Guid.NewGuid(), $"metrics maybe {i}", 0)).ToList();
        await system.SubmitAllAsync(failing);
        var after = await ScrapeUntilAsync(system, s =>
            s.Value("taskscheduler_tasks_completed_total") + s.Value("taskscheduler_tasks_failed_total") == 14
            && s.Value("taskscheduler_tasks_rejected_total") == 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(after.Value("taskscheduler_tasks_accepted_total"), Is.EqualTo(14));
            Assert.That(after.Value("taskscheduler_workers_alive"), Is.EqualTo(2));
            Assert.That(after.Value("taskscheduler_tasks_failed_total"), Is.Positive, "fair share gives the failing worker some of the six");
            Assert.That(after.Value("taskscheduler_task_submit_to_done_seconds_count", ("outcome", "failed")),
                Is.EqualTo(after.Value("taskscheduler_tasks_failed_total")));
        }
    }

    /// <summary>Scrapes until the condition holds, as a dashboard would keep polling; fails with the last scrape.</summary>
    private static Task<PrometheusScrape> ScrapeUntilAsync(TestSystem system, Func<PrometheusScrape, bool> condition) =>
        Eventually.Returns(
            () => PrometheusScrape.TakeAsync(system.Api), condition, TimeSpan.FromSeconds(60), "the metrics to get there", scrape => $"the scrape\n{scrape.Text}");
}
