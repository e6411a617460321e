using TaskScheduler.Bench.Stages;

namespace TaskScheduler.UnitTests.Bench;

public class StageHistogramsTests
{
    private const string Before = """
        # TYPE taskscheduler_stage_duration_seconds histogram
        taskscheduler_stage_duration_seconds_bucket{otel_scope_name="TaskScheduler.Scheduler",stage="fsync",le="0.001"} 5
        taskscheduler_stage_duration_seconds_bucket{otel_scope_name="TaskScheduler.Scheduler",stage="fsync",le="0.002"} 5
        taskscheduler_stage_duration_seconds_bucket{otel_scope_name="TaskScheduler.Scheduler",stage="fsync",le="0.01"} 5
        taskscheduler_stage_duration_seconds_bucket{otel_scope_name="TaskScheduler.Scheduler",stage="fsync",le="+Inf"} 5
        taskscheduler_stage_duration_seconds_sum{otel_scope_name="TaskScheduler.Scheduler",stage="fsync"} 0.004
        taskscheduler_journal_commit_time_seconds_bucket{otel_scope_name="TaskScheduler.Scheduler",le="0.001"} 7
        """;

    // During the run: 100 fsyncs, 50 under 1 ms, 45 in 1-2 ms, 4 in 2-10 ms and 1 beyond; 10 applies under 1 ms.
    private const string After = """
        taskscheduler_stage_duration_seconds_bucket{otel_scope_name="TaskScheduler.Scheduler",stage="fsync",le="0.001"} 55
        taskscheduler_stage_duration_seconds_bucket{otel_scope_name="TaskScheduler.Scheduler",stage="fsync",le="0.002"} 100
        taskscheduler_stage_duration_seconds_bucket{otel_scope_name="TaskScheduler.Scheduler",stage="fsync",le="0.01"} 104
        taskscheduler_stage_duration_seconds_bucket{otel_scope_name="TaskScheduler.Scheduler",stage="fsync",le="+Inf"} 105
        taskscheduler_stage_duration_seconds_bucket{otel_scope_name="TaskScheduler.Scheduler",stage="apply",le="0.001"} 10
        taskscheduler_stage_duration_seconds_bucket{otel_scope_name="TaskScheduler.Scheduler",stage="apply",le="+Inf"} 10
        taskscheduler_stage_duration_seconds_bucket{otel_scope_name="TaskScheduler.Scheduler",stage="commit",le="+Inf"} 0
        """;

    [Test]
    public void Since_GivesEachStagesPercentilesOverTheRunOnly_InPathOrder()
    {
        var stages = StageHistograms.Parse(After).Since(StageHistograms.Parse(Before), StageMeter.PathOrder);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(stages.Select(s => s.Stage), Is.EqualTo(new[] { "apply", "fsync" }), "in path order; a stage with nothing recorded is left out");
            var fsync = stages[1];
            Assert.That(fsync.Count, Is.EqualTo(100));
            Assert.That(fsync.P50, Is.EqualTo(1.0), "the 50th of 100 is the top of the first bucket");
            Assert.That(fsync.P90, Is.EqualTo(1.889).Within(0.001), "45 spread over 1-2 ms: the 90th is the 40th of them");
            Assert.That(fsync.P99, Is.EqualTo(10.0), "the 99th is the last of the 2-10 ms bucket");
            Assert.That(stages[0].P99, Is.LessThanOrEqualTo(1.0));
        }
    }

    [Test]
    public void Since_ReportsTheHighestFiniteBound_ForAPercentileBeyondTheBuckets()
    {
        const string text = """
            taskscheduler_stage_duration_seconds_bucket{stage="confirm",le="0.5"} 0
            taskscheduler_stage_duration_seconds_bucket{stage="confirm",le="10"} 1
            taskscheduler_stage_duration_seconds_bucket{stage="confirm",le="+Inf"} 100
            """;

        var confirm = StageHistograms.Parse(text).Since(StageHistograms.Parse(""), StageMeter.PathOrder).Single();

        Assert.That(confirm.P99, Is.EqualTo(10_000));
    }
}
