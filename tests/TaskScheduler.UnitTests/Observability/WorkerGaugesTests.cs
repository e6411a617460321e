using OpenTelemetry;
using OpenTelemetry.Metrics;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Contracts.Observability;
using TaskScheduler.Scheduler.Core;
using TaskScheduler.Scheduler.Observability;

namespace TaskScheduler.UnitTests.Observability;

/// <summary>Per-worker series through the real OpenTelemetry SDK, as /metrics exports them, while fleets come and go.</summary>
public class WorkerGaugesTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    [Test]
    public void ANewWorker_AfterFiveThousandCameAndWent_HasASeriesOfItsOwn_NotTheSdksOverflow()
    {
        var alive = "w0";
        SchedulerView View() => new([new WorkerView(alive, 4, 1, Draining: false, Confirmed: true, Start, 0, 0)], [], 0, 1, new SchedulerCounters(), Start);
        using var gauges = new WorkerGauges(View);
        var exported = new List<Metric>();
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(TelemetryNames.Scheduler).AddInMemoryExporter(exported).Build();

        List<string> workersExported = [];
        for (var i = 0; i < 5000; i++)
        {
            alive = $"w{i}";
            gauges.Track(View().Workers);
            exported.Clear();
            provider.ForceFlush();
            workersExported = WorkerTags(exported, "taskscheduler.worker.in_flight");
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(workersExported, Is.EqualTo(new[] { "worker=w4999" }), "only the live worker, under its own id");
            Assert.That(gauges.Renewals, Is.EqualTo(4), "the gauges' meter was renewed every thousand departed workers");
        }
    }

    [Test]
    public void LiveWorkers_DoNotRenewTheMeter_HoweverLongTheyStay()
    {
        var workers = Enumerable.Range(0, 1500).Select(i => new WorkerView($"w{i}", 4, 1, Draining: false, Confirmed: true, Start, 0, 0)).ToList();
        using var gauges = new WorkerGauges(() => new SchedulerView(workers, [], 0, 1, new SchedulerCounters(), Start));
        for (var i = 0; i < 100; i++)
        {
            gauges.Track(workers);
        }

        Assert.That(gauges.Renewals, Is.Zero);
    }

    private static List<string> WorkerTags(List<Metric> exported, string name)
    {
        var tags = new List<string>();
        foreach (var metric in exported.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                foreach (var tag in point.Tags)
                {
                    tags.Add($"{tag.Key}={tag.Value}");
                }
            }
        }

        return tags;
    }
}
