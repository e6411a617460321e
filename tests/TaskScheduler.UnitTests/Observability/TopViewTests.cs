using Spectre.Console;
using TaskScheduler.Cli.Top;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.Dashboard;

namespace TaskScheduler.UnitTests.Observability;

public class TopViewTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void Render_ShowsWorkersQueueAndFailures_WithOutsideTextPrintedLiterally()
    {
        var snapshot = new DashboardSnapshot(
            Now,
            Ready: true,
            new DashboardTotals(12, 3, 2, 8, 3, 41.5, 1000, 950, 38, 4, 7, Now.AddMinutes(-5)),
            [
                new WorkerView("worker-[a]", 4, 3, Draining: false, Confirmed: true, Now.AddSeconds(-0.4), 500, 20),
                new WorkerView("worker-b", 4, 0, Draining: true, Confirmed: true, Now.AddSeconds(-1), 450, 18),
            ],
            [new QueueDepth(9, 2), new QueueDepth(0, 10)],
            1,
            [new SeriesPoint(Now, 10, 40, 1.5, 12, 3, 3, 8, 120, 480, 2, 5, 90)],
            [new FailedTask(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), 0, 1, "worker-b", "disk [full] at /tmp", Now)]);

        var text = RenderToText(snapshot);

        Assert.That(text, Does.Contain("worker-[a]").And.Contain("3/4").And.Contain("alive")
            .And.Contain("draining")
            .And.Contain("priority 9").And.Contain("priority 0")
            .And.Contain("41.5/s").And.Contain("950").And.Contain("120 ms / 480 ms")
            .And.Contain("0f8fad5b-d9cb-469f-a165-70867728950e").And.Contain("disk [full] at /tmp")
            .And.Contain("up 5 min"));
    }

    [Test]
    public void Render_SaysSoWhenNothingRunsYet()
    {
        var snapshot = new DashboardSnapshot(
            Now, Ready: false, new DashboardTotals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Now), [], [], 1, [], []);

        var text = RenderToText(snapshot, problem: "cannot reach the scheduler");

        Assert.That(text, Does.Contain("no worker registered").And.Contain("empty").And.Contain("no recent failures")
            .And.Contain("(starting)").And.Contain("cannot reach the scheduler"));
    }

    [Test]
    public void Render_SaysWhyNothingIsAccepted_WhileTheJournalCannotWrite()
    {
        var snapshot = new DashboardSnapshot(
            Now, Ready: true, new DashboardTotals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Now), [], [], 1, [], [])
        {
            JournalProblem = "the journal cannot write since 12:00:00 UTC (No space left on device : '/data/journal-log.db [1]')",
        };

        Assert.That(RenderToText(snapshot), Does.Contain("the journal cannot write since 12:00:00 UTC (No space left on device : '/data/journal-log.db [1]')"));
    }

    [Test]
    public void Render_ListsRunningTasksWithTheirProgress_AndCutsLongOutsideText()
    {
        var id = Guid.Parse("6a1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d");
        var snapshot = new DashboardSnapshot(
            Now,
            Ready: true,
            new DashboardTotals(0, 1, 1, 4, 1, 0, 1, 0, 1, 0, 0, Now.AddMinutes(-5)),
            [new WorkerView("worker-a", 4, 1, Draining: false, Confirmed: true, Now, 0, 1)],
            [],
            1,
            [],
            [new FailedTask(Guid.NewGuid(), 0, 1, "worker-a", "boom\n" + new string('x', 400), Now)])
        {
            Progress = [new RunningTaskProgress(id, 2, "worker-a", new TaskProgress(0.42, "page [7] of 12", Now.AddSeconds(-1.5)))],
            ProgressTotal = 1,
        };

        var text = RenderToText(snapshot);

        Assert.That(text, Does.Contain("running tasks").And.Contain(id.ToString()).And.Contain(" 42%").And.Contain("page [7] of 12")
            .And.Contain("1.5 s ago").And.Contain("boom x").And.Contain("…").And.Not.Contain(new string('x', 200)));
    }

    [Test]
    public void Render_SaysSoWhenNoRunningTaskReportsProgress()
    {
        var snapshot = new DashboardSnapshot(
            Now, Ready: true, new DashboardTotals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Now), [], [], 1, [], []);

        Assert.That(RenderToText(snapshot), Does.Contain("no running task reports progress"));
    }

    private static string RenderToText(DashboardSnapshot snapshot, string? problem = null)
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 200;
        console.Write(TopView.Render(snapshot, "http://127.0.0.1:5080", problem));
        return writer.ToString();
    }
}
