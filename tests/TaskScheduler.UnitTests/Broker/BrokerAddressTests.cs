using TaskScheduler.Broker;

namespace TaskScheduler.UnitTests;

/// <summary>One broker or a cluster's nodes: what Broker:Url and Broker:Hosts accept, and what they refuse.</summary>
public class BrokerAddressTests
{
    [Test]
    public void OneUrl_IsOneNode_WithTheDefaultPort()
    {
        var address = BrokerAddress.Parse("amqp://user:secret@rabbit/", hosts: null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(address.Endpoints, Is.EqualTo(new[] { new BrokerEndpoint("rabbit", 5672) }));
            Assert.That(address.Uri.UserInfo, Is.EqualTo("user:secret"));
            Assert.That(address.UsesTls, Is.False);
        }
    }

    [Test]
    public void SeveralUrls_AreTheNodesOfOneCluster()
    {
        var address = BrokerAddress.Parse("amqp://u:p@10.0.0.1:5672/prod, amqp://u:p@10.0.0.2:5673/prod,amqp://u:p@10.0.0.3/prod", hosts: null);

        Assert.That(address.Endpoints, Is.EqualTo(new[]
        {
            new BrokerEndpoint("10.0.0.1", 5672), new BrokerEndpoint("10.0.0.2", 5673), new BrokerEndpoint("10.0.0.3", 5672),
        }));
    }

    [Test]
    public void Hosts_ReplaceTheHostOfTheUrl_AndKeepItsCredentialsAndVirtualHost()
    {
        var address = BrokerAddress.Parse("amqps://u:p@ignored/prod", "rabbit1, rabbit2:5700,[::1]:5800");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(address.Endpoints, Is.EqualTo(new[]
            {
                new BrokerEndpoint("rabbit1", 5671), new BrokerEndpoint("rabbit2", 5700), new BrokerEndpoint("::1", 5800),
            }));
            Assert.That(address.UsesTls, Is.True);
            Assert.That(address.Uri.AbsolutePath, Is.EqualTo("/prod"));
        }
    }

    [Test]
    public void Describe_HidesThePassword_AndListsTheNodes()
    {
        var text = BrokerAddress.Parse("amqp://u:secret@a/", "a,b").Describe();

        Assert.That(text, Does.Not.Contain("secret").And.Contain("a:5672").And.Contain("b:5672"));
    }

    [TestCase("http://rabbit/", null, "Broker:Url")]
    [TestCase("amqp://u:p@a/,amqp://other:p@b/", null, "Broker:Url")]
    [TestCase("amqp://u:p@a/one,amqp://u:p@b/two", null, "Broker:Url")]
    [TestCase("amqp://u:p@a/", "b:notaport", "Broker:Hosts")]
    [TestCase("amqp://u:p@a/", "b:70000", "Broker:Hosts")]
    [TestCase("amqp://u:p@a/", "user@b", "Broker:Hosts")]
    [TestCase("amqp://u:p@a/", "b/vhost", "Broker:Hosts")]
    public void BadAddresses_AreRefused_NamingTheKey(string url, string? hosts, string key)
    {
        var problems = new BrokerOptions { Url = url, Hosts = hosts }.Validate().ToList();

        Assert.That(problems, Has.One.StartsWith(key));
    }

    [Test]
    public void QueueType_IsClassicOrQuorum()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(new BrokerOptions { QueueType = "Quorum" }.Validate(), Is.Empty);
            Assert.That(new BrokerOptions { QueueType = "quorum" }.QueueArguments(), Does.ContainKey("x-queue-type").WithValue("quorum"));
            Assert.That(new BrokerOptions().QueueArguments(), Is.Null, "classic queues keep the arguments they always had: none");
            Assert.That(new BrokerOptions { QueueType = "mirrored" }.Validate(), Has.One.StartsWith("Broker:QueueType"));
        }
    }
}
