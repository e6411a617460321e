using TaskScheduler.Scheduler.Http;

namespace TaskScheduler.UnitTests;

public class ApiOptionsTests
{
    [TestCase("http://127.0.0.1:5080")]
    [TestCase("http://localhost:5080")]
    [TestCase("http://[::1]:5080")]
    [TestCase("http://127.0.0.1:5080;http://localhost:5081")]
    [TestCase(null)]
    public void LoopbackOnly_NeedsNoKey(string? urls) =>
        Assert.That(new ApiOptions { Urls = urls }.Validate(), Is.Empty);

    [TestCase("http://0.0.0.0:5080")]
    [TestCase("http://+:5080")]
    [TestCase("http://*:5080")]
    [TestCase("http://10.1.2.3:5080")]
    [TestCase("http://127.0.0.1:5080;http://scheduler.internal:5080")]
    public void BeyondLoopback_WithoutAKey_IsAConfigurationError(string urls) =>
        Assert.That(new ApiOptions { Urls = urls }.Validate(), Has.One.Contains("Api:Key"));

    [Test]
    public void BeyondLoopback_WithAKey_IsFine() =>
        Assert.That(new ApiOptions { Urls = "http://0.0.0.0:5080", Key = "a-key-of-sixteen-chars" }.Validate(), Is.Empty);

    [Test]
    public void AShortKey_IsRefused() =>
        Assert.That(new ApiOptions { Key = "short" }.Validate(), Has.One.Contains("at least 16"));
}
