using System.Net;
using TaskScheduler.Client;

namespace TaskScheduler.UnitTests.Client;

/// <summary>Several scheduler addresses: a request goes where the last one was answered, and on when one cannot be reached.</summary>
public class SchedulerEndpointsTests
{
    private static readonly Uri Down = new("http://scheduler-a.internal:5080");
    private static readonly Uri Up = new("http://scheduler-b.internal:5080/");

    [Test]
    public async Task AnAddressThatCannotBeReached_IsPassedOver_AndTheOneThatAnsweredIsAskedFirstFromThenOn()
    {
        var handler = new Addresses(unreachable: [Down.Host]);
        using var http = new HttpClient(handler);
        var endpoints = new SchedulerEndpoints([Down, Up]);

        using var first = await endpoints.SendAsync(http, a => new HttpRequestMessage(HttpMethod.Get, new Uri(a, "api/tasks/1")), CancellationToken.None);
        using var second = await endpoints.SendAsync(http, a => new HttpRequestMessage(HttpMethod.Post, new Uri(a, "api/tasks/1/cancel")), CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(handler.Sent, Is.EqualTo(new[]
            {
                "GET http://scheduler-a.internal:5080/api/tasks/1 unreachable",
                "GET http://scheduler-b.internal:5080/api/tasks/1",
                "POST http://scheduler-b.internal:5080/api/tasks/1/cancel",
            }));
            Assert.That(endpoints.Current, Is.EqualTo(Up));
        }
    }

    [Test]
    public void AChangeThatMayHaveReachedAScheduler_IsNotSentAgain()
    {
        var handler = new Addresses(unreachable: [], timesOut: [Down.Host]);
        using var http = new HttpClient(handler);
        var endpoints = new SchedulerEndpoints([Down, Up]);

        Assert.ThrowsAsync<TaskCanceledException>(() =>
            endpoints.SendAsync(http, a => new HttpRequestMessage(HttpMethod.Post, new Uri(a, "api/tasks/1/cancel")), CancellationToken.None));
        Assert.That(handler.Sent, Is.EqualTo(new[] { "POST http://scheduler-a.internal:5080/api/tasks/1/cancel timed out" }), "a timed-out cancel may have been applied");
    }

    [Test]
    public void WhenNoAddressCanBeReached_EachIsTriedOnce_AndTheLastFailureIsThrown()
    {
        var handler = new Addresses(unreachable: [Down.Host, Up.Host]);
        using var http = new HttpClient(handler);
        var endpoints = new SchedulerEndpoints([Down, Up]);

        var failure = Assert.ThrowsAsync<HttpRequestException>(() =>
            endpoints.SendAsync(http, a => new HttpRequestMessage(HttpMethod.Get, new Uri(a, "api/workers")), CancellationToken.None));
        Assert.That(failure!.Message, Does.Contain("scheduler-b"));
        Assert.That(handler.Sent, Has.Count.EqualTo(2));
    }

    [TestCase("http://a:5080", 1)]
    [TestCase("http://a:5080, https://b:5080/base ,http://c:1", 3)]
    public void AddressesSeparatedByCommas_AreParsedInOrder(string text, int count)
    {
        Assert.That(SchedulerEndpoints.TryParse(text, out var endpoints, out var problem), Is.True, problem);
        Assert.That(endpoints!.Addresses, Has.Count.EqualTo(count));
        Assert.That(endpoints.Current, Is.EqualTo(endpoints.Addresses[0]));
    }

    [TestCase("", "no scheduler URL given")]
    [TestCase("http://a:5080,ftp://b", "'ftp://b' is not an absolute http:// or https:// URL")]
    [TestCase("scheduler:5080", "'scheduler:5080' is not an absolute http:// or https:// URL")]
    public void ABadAddress_IsNamed(string text, string problem)
    {
        Assert.That(SchedulerEndpoints.TryParse(text, out _, out var said), Is.False);
        Assert.That(said, Is.EqualTo(problem));
    }

    /// <summary>Answers 200, except for hosts that cannot be reached (a connection error) or that time out.</summary>
    private sealed class Addresses(string[] unreachable, string[]? timesOut = null) : HttpMessageHandler
    {
        public List<string> Sent { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var line = $"{request.Method} {request.RequestUri}";
            if (unreachable.Contains(request.RequestUri!.Host))
            {
                Sent.Add($"{line} unreachable");
                throw new HttpRequestException(HttpRequestError.ConnectionError, $"Connection refused ({request.RequestUri.Host})");
            }

            if (timesOut?.Contains(request.RequestUri.Host) == true)
            {
                Sent.Add($"{line} timed out");
                throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout");
            }

            Sent.Add(line);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
