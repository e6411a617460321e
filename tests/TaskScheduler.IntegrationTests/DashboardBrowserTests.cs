using System.Globalization;
using Microsoft.Playwright;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TaskScheduler.IntegrationTests;

/// <summary>The dashboard in a real browser, on a running system, used as an operator would.</summary>
[TestFixture]
[Category("integration")]
// Alone, not beside other fixtures: it drives a browser.
[NonParallelizable]
public class DashboardBrowserTests
{
    private static readonly LocatorAssertionsToHaveAttributeOptions Patiently = new() { Timeout = 60_000 };

    [Test]
    public async Task Dashboard_SubmitsATaskThatCompletes_AndShowsWorkersComeAndGo()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        system.StartWorker("steady-worker", capacity: 4, minRun: TimeSpan.FromMilliseconds(50), maxRun: TimeSpan.FromMilliseconds(400));
        await system.WaitForWorkersAsync("steady-worker");

        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        var problems = WatchForProblems(page);

        await page.GotoAsync(system.SchedulerUrl);
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live", Patiently);
        await Expect(page.Locator("#workers tr[data-worker='steady-worker']")).ToBeVisibleAsync(new() { Timeout = 30_000 });

        // Submit through the form, and follow the task to its end on the page.
        await page.FillAsync("#submit-payload", "render the quarterly report");
        await page.FillAsync("#submit-priority", "5");
        await page.ClickAsync("#submit-button");
        await Expect(page.Locator("#submit-result")).ToContainTextAsync("Accepted task", new() { Timeout = 30_000 });
        var id = Guid.Parse((await page.Locator("#submit-result").GetAttributeAsync("data-task"))!);
        var view = page.Locator($"#task-view[data-task='{id}']");
        await Expect(view).ToHaveAttributeAsync("data-state", "Completed", Patiently);
        await Expect(view).ToContainTextAsync("steady-worker");
        await Expect(page.Locator("#api-key-row")).ToBeHiddenAsync();

        var task = await system.GetTaskAsync(id);
        Assert.That((task?.State, task?.Priority, task?.WorkerId), Is.EqualTo(((TaskState?)TaskState.Completed, (int?)5, "steady-worker")),
            "the scheduler agrees with what the page shows");

        // Some traffic, a few failures among it, so the charts and the failures table have something to show.
        var flaky = system.StartWorker("flaky-worker", capacity: 2, maxRun: TimeSpan.FromMilliseconds(300), failureRate: 0.3);
        await Expect(page.Locator("#workers tr[data-worker='flaky-worker']")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await system.SubmitAllAsync(Enumerable.Range(0, 60).Select(i => new SubmitTask(Guid.NewGuid(), $"dashboard load {i}", i % 4)));
        await page.WaitForFunctionAsync(
            "() => Number(document.getElementById('kpi-completed').textContent.replace(/,/g, '')) >= 40",
            null,
            new PageWaitForFunctionOptions { Timeout = 60_000, PollingInterval = 200 });
        await Expect(page.Locator("#failures tbody tr").First).ToBeVisibleAsync(new() { Timeout = 60_000 });

        var screenshot = Path.Combine(system.Directory, "dashboard.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        TestContext.AddTestAttachment(screenshot, "The dashboard with two workers, a completed task looked up, and recent failures");

        // Killed without a goodbye: the scheduler declares it dead after its missed heartbeats, and the page drops it.
        flaky.Kill9();
        await Expect(page.Locator("#workers tr[data-worker='flaky-worker']")).ToHaveCountAsync(0, new() { Timeout = 60_000 });
        await Expect(page.Locator("#workers tr[data-worker='steady-worker']")).ToBeVisibleAsync();

        Assert.That(problems, Is.Empty, "the page logged no errors");
    }

    [Test]
    public async Task Dashboard_ShowsWhatHandlersReport_ProgressWhileRunning_ThenTheResultAsText()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        await using var worker = await ScriptedWorker.StartAsync(system, "scripted-worker", capacity: 4);
        await system.WaitForWorkersAsync("scripted-worker");

        var report = new SubmitTask(Guid.NewGuid(), "render the yearly report", 5) { Timeout = TimeSpan.FromMinutes(5) };
        var export = new SubmitTask(Guid.NewGuid(), "export everything", 1);
        var broken = new SubmitTask(Guid.NewGuid(), "parse the broken file", 0);
        await system.SubmitAllAsync([report, export, broken]);
        foreach (var task in new[] { report, export, broken })
        {
            await worker.WaitForAssignmentAsync(task.Id);
        }

        const string message = "page 5 of 12 <b>not bold</b>";
        worker.ReportProgress(report.Id, 0.42, message);

        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        var problems = WatchForProblems(page);
        await page.GotoAsync(system.SchedulerUrl);
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live", Patiently);

        // The running-tasks panel lists what reports progress, its text shown as text.
        var row = page.Locator($"#progress tr[data-task='{report.Id}']");
        await Expect(row).ToContainTextAsync("42%", new() { Timeout = 60_000 });
        await Expect(row).ToContainTextAsync(message);
        await Expect(row).ToContainTextAsync("scripted-worker");
        await Expect(page.Locator($"#progress tr[data-task='{export.Id}']")).ToHaveCountAsync(0);
        await Expect(page.Locator("#progress b")).ToHaveCountAsync(0);

        // The lookup follows the running task: its progress as it moves, and its timeout.
        await page.FillAsync("#lookup-id", report.Id.ToString());
        await page.ClickAsync("#lookup-form button");
        var view = page.Locator($"#task-view[data-task='{report.Id}']");
        await Expect(view).ToHaveAttributeAsync("data-state", "Running", Patiently);
        await Expect(view.Locator("#task-progress")).ToContainTextAsync("42%", new() { Timeout = 30_000 });
        await Expect(view).ToContainTextAsync("5 min");
        var running = Path.Combine(system.Directory, "dashboard-progress.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = running, FullPage = true });
        TestContext.AddTestAttachment(running, "A running task's progress in the panel and in the lookup");

        worker.ReportProgress(report.Id, 0.9, "page 11 of 12");
        await Expect(view.Locator("#task-progress")).ToContainTextAsync("90%", new() { Timeout = 30_000 });
        await Expect(view.Locator("#task-progress")).ToContainTextAsync("page 11 of 12");

        // Completed with a result that looks like markup: it is shown whole, as the text it is.
        const string result = "total: 1 234 €\n<script>document.title = 'owned'</script>\n✓ done";
        await worker.CompleteAsync(report.Id, result);
        await Expect(view).ToHaveAttributeAsync("data-state", "Completed", Patiently);
        await Expect(view.Locator("#task-progress")).ToHaveCountAsync(0);
        await Expect(row).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        var shown = page.Locator("#task-result");
        Assert.That(await shown.TextContentAsync(), Is.EqualTo(result));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await shown.Locator("*").CountAsync(), Is.Zero, "no element was made of the result");
            Assert.That(await page.TitleAsync(), Is.EqualTo("TaskScheduler"));
            Assert.That(await shown.GetAttributeAsync("data-bytes"), Is.EqualTo(System.Text.Encoding.UTF8.GetByteCount(result).ToString(CultureInfo.InvariantCulture)));
        }

        // A long result is shown in part, with its size and a link to the whole.
        var large = string.Concat(Enumerable.Range(0, 10_000).Select(i => $"row {i,6}: ok\n"));
        await worker.CompleteAsync(export.Id, large);
        await page.FillAsync("#lookup-id", export.Id.ToString());
        await page.ClickAsync("#lookup-form button");
        var exported = page.Locator($"#task-view[data-task='{export.Id}']");
        await Expect(exported).ToHaveAttributeAsync("data-state", "Completed", Patiently);
        await Expect(exported.Locator("#task-result")).ToHaveAttributeAsync("data-cut", "true");
        await Expect(exported.Locator("#task-result-note")).ToContainTextAsync($"{large.Length.ToString("N0", CultureInfo.InvariantCulture)} bytes");
        var href = await exported.Locator("#task-result-note a").GetAttributeAsync("href");
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await exported.Locator("#task-result").TextContentAsync())!.Length, Is.LessThan(large.Length / 4));
            Assert.That(await system.Api.GetStringAsync(new Uri($"/{href}", UriKind.Relative)), Is.EqualTo(large), "the link gives the whole result");
        }

        // A failure with a long error: the table shows its start, the tooltip more.
        var stackTrace = "FormatException: line 3 is not a date\n" + string.Concat(Enumerable.Repeat("   at Parser.ReadLine(String line) in Parser.cs:line 42\n", 80));
        await worker.FailAsync(broken.Id, stackTrace);
        var error = page.Locator("#failures tbody tr td.error-text").First;
        await Expect(error).ToHaveAttributeAsync("data-cut", "true", Patiently);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await error.TextContentAsync(), Does.StartWith("FormatException: line 3 is not a date").And.Length.LessThanOrEqualTo(160));
            Assert.That(await error.GetAttributeAsync("title"), Does.StartWith("FormatException"));
        }

        var finished = Path.Combine(system.Directory, "dashboard-result.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = finished, FullPage = true });
        TestContext.AddTestAttachment(finished, "A long result shown in part, and a long error cut in the failures table");
        Assert.That(problems, Is.Empty, "the page logged no errors");
    }

    [Test]
    public async Task TasksPage_RetriesAFailedTaskThatThenCompletes_AndCancelsARunningOne()
    {
        await using var system = await TestSystem.CreateAsync();
        await system.StartSchedulerAsync();
        var clumsy = system.StartWorker("clumsy-worker", capacity: 2, failureRate: 1);
        await system.WaitForWorkersAsync("clumsy-worker");
        var broken = new SubmitTask(Guid.NewGuid(), "import the ledger", 3);
        await system.SubmitAllAsync([broken]);
        await system.WaitForFinalStatesAsync([broken.Id], TimeSpan.FromMinutes(1));
        clumsy.Terminate();
        system.StartWorker("steady-worker", capacity: 2);
        await system.WaitForWorkersAsync("steady-worker");

        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        var problems = WatchForProblems(page);
        await page.GotoAsync($"{system.SchedulerUrl}/tasks.html");

        // Filter on failed tasks: the failed one is listed with its error; its detail shows attempts and history.
        await page.SelectOptionAsync("#f-state", "Failed");
        await page.ClickAsync("#filters button[type=submit]");
        var row = page.Locator($"#tasks tr[data-task='{broken.Id}']");
        await Expect(row).ToHaveAttributeAsync("data-state", "Failed", Patiently);
        await Expect(row).ToContainTextAsync("simulated failure");
        await row.Locator("a").ClickAsync();
        var detail = page.Locator($"#task-detail[data-task='{broken.Id}']");
        await Expect(detail).ToContainTextAsync("attempts 1", new() { Timeout = 60_000 });
        await Expect(detail.Locator("#task-detail-error")).ToContainTextAsync("simulated failure");
        await Expect(detail.Locator("#task-detail-history")).ToContainTextAsync("failed");

        // Retry after a confirmation: it runs again and completes; the page follows it.
        await row.Locator("button[data-action=retry]").ClickAsync();
        await page.FillAsync("#confirm-reason", "ledger fixed");
        await page.ClickAsync("#confirm-yes");
        await Expect(page.Locator("#action-result")).ToContainTextAsync("done", new() { Timeout = 60_000 });
        await page.SelectOptionAsync("#f-state", "");
        await page.ClickAsync("#filters button[type=submit]");
        await Expect(row).ToHaveAttributeAsync("data-state", "Completed", Patiently);
        await Expect(detail).ToHaveAttributeAsync("data-state", "Completed", Patiently);
        await Expect(detail.Locator("#task-detail-history")).ToContainTextAsync("by anonymous: ledger fixed");

        // A long task, cancelled from the page while it runs.
        var slow = new SubmitTask(Guid.NewGuid(), "sim:run=120000ms; rebuild the index", 1);
        await system.SubmitAllAsync([slow]);
        var running = page.Locator($"#tasks tr[data-task='{slow.Id}']");
        await Expect(running).ToHaveAttributeAsync("data-state", "Running", Patiently);
        await running.Locator("button[data-action=cancel]").ClickAsync();
        await page.ClickAsync("#confirm-yes");
        await Expect(running).ToHaveAttributeAsync("data-state", "Cancelled", Patiently);

        var screenshot = Path.Combine(system.Directory, "dashboard-tasks.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        TestContext.AddTestAttachment(screenshot, "The Tasks page after a retry and a cancellation");
        var states = await system.WaitForFinalStatesAsync([broken.Id, slow.Id], TimeSpan.FromMinutes(1));
        using (Assert.EnterMultipleScope())
        {
            Assert.That((states[broken.Id].State, states[broken.Id].Attempts), Is.EqualTo((TaskState.Completed, 2)), "the scheduler agrees with the page");
            Assert.That(states[slow.Id].State, Is.EqualTo(TaskState.Cancelled));
            Assert.That(problems, Is.Empty, "the page logged no errors");
        }
    }

    /// <summary>Collects what an operator would see go wrong: script errors, and failed requests with their address.</summary>
    private static List<string> WatchForProblems(IPage page)
    {
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            // A failed request is also logged to the console; the responses are judged below, with their address.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                problems.Add(message.Text);
            }
        };
        page.PageError += (_, error) => problems.Add(error);
        page.Response += (_, response) =>
        {
            // Until the scheduler offers task history the page asks once, gets 404, and shows the status's times.
            if (response.Status >= 400 && !(response.Status == 404 && response.Url.EndsWith("/history", StringComparison.Ordinal)))
            {
                problems.Add($"{response.Status} from {response.Url}");
            }
        };
        return problems;
    }
}
