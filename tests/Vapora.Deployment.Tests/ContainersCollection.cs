namespace Vapora.Deployment.Tests;

/// <summary>The tests that run containers: one after another (two cores), on images built once for all of them.</summary>
[CollectionDefinition(Name)]
public sealed class ContainersCollection : ICollectionFixture<ServiceImages>
{
    public const string Name = "containers";
}
