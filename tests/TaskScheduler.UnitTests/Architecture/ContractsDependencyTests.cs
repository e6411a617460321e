using System.Xml.Linq;
using TaskScheduler.Contracts;

namespace TaskScheduler.UnitTests.Architecture;

/// <summary>
/// Every producer references Contracts, so it carries the wire format and nothing else: no broker client, no web
/// framework, no hosting. Connection code lives in Broker, the dashboard's views in Dashboard.
/// </summary>
public class ContractsDependencyTests
{
    private static readonly string[] Forbidden = ["RabbitMQ", "MassTransit", "Microsoft.AspNetCore", "Microsoft.Extensions"];

    [Test]
    public void ContractsAssembly_ReferencesNeitherTheBrokerClientNorAspNet()
    {
        var references = typeof(WireJson).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();

        Assert.That(references.Where(IsForbidden), Is.Empty, $"TaskScheduler.Contracts references {string.Join(", ", references)}");
    }

    /// <summary>The compiler drops a reference nothing uses, but the package would still pull it into every producer.</summary>
    [Test]
    public void ContractsProject_DeclaresNeitherTheBrokerClientNorAspNet()
    {
        var project = XDocument.Load(Path.Combine(Repository.Root, "Contracts", "TaskScheduler.Contracts.csproj"));
        var declared = project.Descendants()
            .Where(e => e.Name.LocalName is "PackageReference" or "FrameworkReference" or "ProjectReference")
            .Select(e => (string?)e.Attribute("Include") ?? "")
            .ToList();
        var sdk = (string?)project.Root?.Attribute("Sdk") ?? "";

        Assert.Multiple(() =>
        {
            Assert.That(declared.Where(IsForbidden), Is.Empty, "packages or frameworks in Contracts/TaskScheduler.Contracts.csproj");
            Assert.That(declared.Where(d => d.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase)), Is.Empty, "Contracts depends on no other project");
            Assert.That(sdk, Is.EqualTo("Microsoft.NET.Sdk"), "a plain class library, not the web SDK");
        });
    }

    private static bool IsForbidden(string name) =>
        Forbidden.Any(f => name.Equals(f, StringComparison.OrdinalIgnoreCase) || name.StartsWith(f + ".", StringComparison.OrdinalIgnoreCase));
}
