using TaskScheduler.Worker.Agent;

namespace TaskScheduler.UnitTests.Handlers;

public class HandlerThreadsTests
{
    private static readonly AsyncLocal<string> Ambient = new();

    [Test]
    public async Task AHandler_RunsOffTheThreadPool_WithItsCallersContext()
    {
        var threads = new HandlerThreads();
        Ambient.Value = "the caller's span";
        var (pooled, ambient) = await threads.Run(() => Task.FromResult((Thread.CurrentThread.IsThreadPoolThread, Ambient.Value)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(pooled, Is.False);
            Assert.That(ambient, Is.EqualTo("the caller's span"));
        }
    }

    [Test]
    public async Task AHandlerThatNeverReturns_DoesNotHoldUpTheNext()
    {
        var threads = new HandlerThreads();
        using var release = new ManualResetEventSlim();
        var blocked = threads.Run(() =>
        {
            release.Wait();
            return Task.FromResult(1);
        });

        var next = await threads.Run(() => Task.FromResult(2)).WaitAsync(TimeSpan.FromSeconds(30));
        release.Set();
        Assert.That((next, await blocked), Is.EqualTo((2, 1)));
    }

    [Test]
    public void ASynchronousThrow_FaultsTheTask()
    {
        var threads = new HandlerThreads();
        Assert.That(() => threads.Run<int>(() => throw new InvalidOperationException("at once")), Throws.InvalidOperationException.With.Message.EqualTo("at once"));
    }
}
