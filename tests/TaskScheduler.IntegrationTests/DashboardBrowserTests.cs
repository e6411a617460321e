using Microsoft.Playwright;
using TaskScheduler.Contracts;
using TaskScheduler.Contracts.Messages;
using TaskScheduler.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TaskScheduler.IntegrationTests;

/// <summary>The dashboard in a real browser, on a running system, used as an operator would.</summary>
[TestFixture]
[Category("integration")]
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
}
