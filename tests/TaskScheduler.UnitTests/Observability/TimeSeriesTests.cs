using TaskScheduler.Contracts.Messages;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Observability;

namespace TaskScheduler.UnitTests.Observability;

public class TimeSeriesTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void Sample_TurnsCountersIntoRatesPerSecond_AndKeepsLevels()
    {
        var series = new TimeSeries(TimeSpan.FromSeconds(1));
        series.Sample(View(accepted: 10, completed: 0, failed: 0, pending: 10), Start);
        var point = series.Sample(View(accepted: 30, completed: 16, failed: 4, pending: 6), Start.AddSeconds(2));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(point.AcceptedPerSecond, Is.EqualTo(10));
            Assert.That(point.CompletedPerSecond, Is.EqualTo(8));
            Assert.That(point.FailedPerSecond, Is.EqualTo(2));
            Assert.That(point.Pending, Is.EqualTo(6));
            Assert.That((point.BusySlots, point.Slots), Is.EqualTo((3, 4)), "only workers that heartbeat count");
            Assert.That(series.Throughput(TimeSpan.FromSeconds(1)), Is.EqualTo(10));
        }
    }

    [Test]
    public void Sample_RecordsTheLatencyPercentilesOfItsInterval_ThenStartsAfresh()
    {
        var series = new TimeSeries(TimeSpan.FromSeconds(1));
        for (var ms = 1; ms <= 100; ms++)
        {
            series.SubmitToDone.Add(TimeSpan.FromMilliseconds(ms));
        }

        series.AssignmentDelay.Add(TimeSpan.FromMilliseconds(3));
        var busy = series.Sample(View(0, 0, 0, 0), Start);
        var quiet = series.Sample(View(0, 0, 0, 0), Start.AddSeconds(1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That((busy.SubmitToDoneP50, busy.SubmitToDoneP95), Is.EqualTo(((double?)50, (double?)95)));
            Assert.That((busy.AssignmentDelayP50, busy.AssignmentDelayP95), Is.EqualTo(((double?)3, (double?)3)));
            Assert.That(busy.RunTimeP50, Is.Null, "nothing finished running in that interval");
            Assert.That(quiet.SubmitToDoneP50, Is.Null);
        }
    }

    [Test]
    public void LatencyWindow_KeepsAUniformSample_WhenMoreArriveThanItHolds()
    {
        var window = new LatencyWindow();
        var count = LatencyWindow.Capacity * 10;
        for (var i = 1; i <= count; i++)
        {
            window.Add(TimeSpan.FromMilliseconds(i));
        }

        var percentiles = window.Take()!.Value;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(percentiles.Count, Is.EqualTo(LatencyWindow.Capacity));
            Assert.That(percentiles.P50, Is.EqualTo(count * 0.50).Within(count * 0.05));
            Assert.That(percentiles.P95, Is.EqualTo(count * 0.95).Within(count * 0.05));
        }
    }

    [Test]
    public void Recent_ReturnsTheLastPointsOldestFirst_AndForgetsBeyondItsCapacity()
    {
        var series = new TimeSeries(TimeSpan.FromSeconds(1));
        for (var i = 0; i < TimeSeries.Capacity + 5; i++)
        {
            series.Sample(View(0, 0, 0, pending: i), Start.AddSeconds(i));
        }

        var lastMinute = series.Recent(TimeSpan.FromMinutes(1));
        var all = series.Recent(TimeSpan.FromHours(1));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(lastMinute.Select(p => p.Pending), Is.EqualTo(Enumerable.Range(TimeSeries.Capacity + 5 - 60, 60)));
            Assert.That(all, Has.Count.EqualTo(TimeSeries.Capacity));
            Assert.That(all[0].Pending, Is.EqualTo(5));
        }
    }

    private static SchedulerView View(long accepted, long completed, long failed, int pending)
    {
        var counters = new SchedulerCounters { Accepted = accepted, Completed = completed, Failed = failed };
        WorkerView[] workers =
        [
            new("w1", 4, 3, Draining: false, Confirmed: true, Start, 0, 0),
            new("w2", 4, 1, Draining: false, Confirmed: false, Start, 0, 0),
        ];
        return new SchedulerView(workers, [], pending, 4, counters, Start);
    }
}
