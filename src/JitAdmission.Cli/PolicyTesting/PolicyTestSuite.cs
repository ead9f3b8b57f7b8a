using JitAdmission.Core.Admission;
using JitAdmission.Core.Matching;

namespace JitAdmission.Cli.PolicyTesting;

/// <summary>One test file, read and checked: its policies compiled as the webhook compiles them, and its cases.</summary>
internal sealed record PolicyTestSuite(string File, string Name, PolicySet Policies, IReadOnlyList<PolicyTestCase> Cases);

/// <summary>
/// One case: the admission request the API server would send, the live objects the webhook's caches would hold
/// (Namespaces, context ConfigMaps), the time of the request, and what the test expects.
/// </summary>
internal sealed record PolicyTestCase(string Name, AdmissionAttributes Request, IClusterContext Cluster, DateTimeOffset Now, CaseExpectation Expect)
{
    /// <summary>The cluster objects the case ran against, as people read them ("Namespace prod").</summary>
    public IReadOnlyList<string> ClusterObjects { get; init; } = [];
}
