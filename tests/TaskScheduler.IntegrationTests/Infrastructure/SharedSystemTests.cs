using NUnit.Framework.Interfaces;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>
/// A test class whose tests neither kill nor reconfigure their system: the scheduler and workers
/// <see cref="StartAsync"/> starts run once for the whole class, and each test works on tasks of its own (new ids) on
/// them. A test that kills, freezes, restarts or reconfigures the system, or counts what the whole system did, creates
/// its own <see cref="TestSystem"/> instead.
/// </summary>
public abstract class SharedSystemTests
{
    private TestSystem? _shared;

    /// <summary>The system every test of the class shares.</summary>
    protected TestSystem SharedSystem => _shared ?? throw new InvalidOperationException("The shared system starts in OneTimeSetUp.");

    [OneTimeSetUp]
    public async Task StartSharedSystemAsync()
    {
        _shared = await TestSystem.CreateAsync();
        await StartAsync(_shared);
    }

    /// <summary>A failed test shows what the shared processes logged meanwhile, as a test's own system would.</summary>
    [TearDown]
    public async Task ShowLogsOfAFailedTestAsync()
    {
        if (_shared is not null && TestContext.CurrentContext.Result.Outcome.Status == TestStatus.Failed)
        {
            await _shared.WriteLogsAsync(attach: false);
        }
    }

    [OneTimeTearDown]
    public async Task StopSharedSystemAsync()
    {
        if (_shared is not null)
        {
            await _shared.DisposeAsync();
        }
    }

    /// <summary>Starts what the tests share (the scheduler, and the workers they may wait for).</summary>
    protected abstract Task StartAsync(TestSystem system);
}
