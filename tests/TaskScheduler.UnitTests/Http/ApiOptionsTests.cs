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

    [Test]
    public void BeyondLoopback_WithANamedKey_IsFine() =>
        Assert.That(new ApiOptions { Urls = "http://0.0.0.0:5080", Keys = { ["ops"] = Key("ops-key-of-sixteen-chars", ApiRole.Operate) } }.Validate(), Is.Empty);

    [Test]
    public void NamedKeys_ThatAreShort_HaveNoRole_OrShareASecret_AreRefused()
    {
        var options = new ApiOptions
        {
            Key = "shared-secret-of-16-chars",
            Keys =
            {
                ["short"] = Key("tiny", ApiRole.Read),
                ["roleless"] = Key("roleless-key-of-16-chars"),
                ["copy"] = Key("shared-secret-of-16-chars", ApiRole.Read),
            },
        };

        Assert.That(options.Validate(), Has.One.Contains("Api:Keys:short:Key").And.One.Contains("Api:Keys:roleless:Roles").And.One.Contains("the same secret"));
    }

    [Test]
    public void TheOldStyleKey_GrantsEveryRole_UnderItsOwnName()
    {
        var keys = new ApiOptions { Key = "old-style-key-16-chars", Keys = { ["viewer"] = Key("viewer-key-of-16-chars", ApiRole.Read) } }.NamedKeys().ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys.Single(k => k.Name == ApiCaller.DefaultKeyName).Roles, Is.EquivalentTo(Enum.GetValues<ApiRole>()));
            Assert.That(keys.Single(k => k.Name == "viewer").Roles, Is.EquivalentTo(new[] { ApiRole.Read }));
        }
    }

    private static ApiKeyOptions Key(string secret, params ApiRole[] roles) => new() { Key = secret, Roles = [.. roles] };
}
