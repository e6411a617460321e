using Microsoft.Playwright;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright, headless, offline: deploy/test.sh installs it with apt-get, and
/// Playwright never downloads a browser of its own.
/// </summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            Assert.Fail($"The browser test needs Debian's Chromium at {ExecutablePath}: run deploy/test.sh, or apt-get install chromium.");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run",
            ],
        });
        return (playwright, browser);
    }
}
