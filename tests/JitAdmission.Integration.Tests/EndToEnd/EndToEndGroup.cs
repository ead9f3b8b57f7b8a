namespace JitAdmission.Integration.Tests.EndToEnd;

/// <summary>The end-to-end tests share one <see cref="JitCluster"/> and run one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class EndToEndGroup : ICollectionFixture<JitCluster>
{
    public const string Name = "end-to-end";
}
