using System.Globalization;
using System.Text.Json.Nodes;
using JitAdmission.Core.Matching;

namespace JitAdmission.Cli.PolicyTesting;

/// <summary>
/// Reads a test file (<c>jit-test.yaml</c>, docs/policies.md "Testing policies offline") and everything it names.
/// Every problem is found here, before any case runs, and named with its file and field: exit 2.
/// </summary>
internal static class SuiteReader
{
    public const string ApiVersion = "cli.jitadmission.io/v1alpha1";
    public const string Kind = "PolicyTest";

    /// <summary>The file names looked for in a directory.</summary>
    public static readonly string[] FileNames = ["jit-test.yaml", "jit-test.yml"];

    /// <param name="file">The test file.</param>
    /// <param name="now">The time of cases that give none (the suite's <c>time</c>, else now).</param>
    public static PolicyTestSuite Read(string file, DateTimeOffset now)
    {
        var full = Path.GetFullPath(file);
        var source = ManifestFiles.Display(full);
        var documents = ManifestFiles.Objects(full, source);
        if (documents.Count != 1) throw TestInput.Error($"{source}: expected one {Kind} document, found {documents.Count}");
        var top = new TestFileSection(documents[0], source, "");
        if (top.String("apiVersion") != ApiVersion || top.String("kind") != Kind)
            throw TestInput.Error($"{source}: not a test file: expected apiVersion: {ApiVersion} and kind: {Kind}");
        top.Only("apiVersion", "kind", "metadata", "policies", "cluster", "time", "cases");
        var name = top.Node("metadata") is { } metadata ? new TestFileSection(metadata, source, "metadata").String("name") : null;
        var directory = Path.GetDirectoryName(full)!;

        var policyEntries = top.Strings("policies");
        if (policyEntries is not { Count: > 0 }) throw top.Fail("policies", "required: the policy files or directories to test (relative to this file)");
        var (policies, policyCluster) = LoadPolicies(directory, policyEntries, source);
        var cluster = policyCluster.With(ReadCluster(top, directory));
        var suiteTime = Time(top, now);

        var cases = top.Array("cases");
        if (cases is not { Count: > 0 }) throw top.Fail("cases", "required: at least one case");
        var read = new List<PolicyTestCase>(cases.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < cases.Count; i++)
        {
            var testCase = CaseReader.Read(cases[i], i, source, directory, cluster, suiteTime);
            if (!names.Add(testCase.Name)) throw TestInput.Error($"{source}: cases[{i}]: another case is named \"{testCase.Name}\"");
            read.Add(testCase);
        }

        return new PolicyTestSuite(source, name ?? Path.GetFileName(directory), PolicySet.Build(policies), read);
    }

    /// <summary>The suite's time, or <paramref name="fallback"/>; cases may give their own.</summary>
    internal static DateTimeOffset Time(TestFileSection section, DateTimeOffset fallback)
    {
        if (section.String("time") is not { } text) return fallback;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) && HasOffset(text)
            ? time
            : throw section.Fail(section.At("time"), $"\"{text}\" is not an RFC 3339 time with a zone, e.g. 2025-06-02T22:30:00+02:00 or 2025-06-02T20:30:00Z");
    }

    // A time without a zone would depend on the machine running the test.
    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');

    /// <summary>Objects under <c>cluster</c>: files, directories, or inline Namespaces and ConfigMaps.</summary>
    internal static ClusterObjects ReadCluster(TestFileSection section, string directory)
    {
        var entries = section.Array("cluster");
        var cluster = ClusterObjects.Empty;
        if (entries is null) return cluster;
        for (var i = 0; i < entries.Count; i++)
        {
            var at = $"{section.Source}: {section.At("cluster")}[{i}]";
            switch (entries[i])
            {
                case JsonObject inline:
                    cluster = cluster.With(inline, at);
                    break;
                case JsonValue value when value.TryGetValue<string>(out var entry):
                    foreach (var file in ManifestFiles.Expand(directory, entry, at))
                    {
                        var display = ManifestFiles.Display(file);
                        foreach (var obj in ManifestFiles.Objects(file, display)) cluster = cluster.With(obj, display);
                    }

                    break;
                default:
                    throw TestInput.Error($"{at}: expected a file, a directory or an object (Namespace or ConfigMap)");
            }
        }

        return cluster;
    }

    /// <summary>
    /// The ApprovalPolicies of the files, each checked as the cluster would check it. Namespaces and ConfigMaps in the same
    /// files join the cluster (kubectl apply -f would create them); other objects are left alone.
    /// </summary>
    private static (List<ApprovalPolicy> Policies, ClusterObjects Cluster) LoadPolicies(string directory, List<string> entries, string source)
    {
        var policies = new List<ApprovalPolicy>();
        var from = new Dictionary<string, string>(StringComparer.Ordinal);
        var cluster = ClusterObjects.Empty;
        for (var i = 0; i < entries.Count; i++)
        {
            foreach (var file in ManifestFiles.Expand(directory, entries[i], $"{source}: policies[{i}]"))
            {
                var display = ManifestFiles.Display(file);
                foreach (var obj in ManifestFiles.Objects(file, display))
                {
                    var apiVersion = obj["apiVersion"] is JsonValue a && a.TryGetValue<string>(out var av) ? av : null;
                    var kind = obj["kind"] is JsonValue k && k.TryGetValue<string>(out var kv) ? kv : null;
                    if (kind == ApiConstants.PolicyKind)
                    {
                        if (apiVersion != ApiConstants.ApiVersion)
                            throw TestInput.Error($"{display}: {kind} has apiVersion {apiVersion ?? "(none)"}; jit-admission serves {ApiConstants.ApiVersion}");
                        var policy = PolicyReader.Read(obj, display);
                        var name = policy.Metadata.Name!;
                        if (from.TryGetValue(name, out var other))
                            throw TestInput.Error($"{display}: {kind} {name} is also in {other}: a cluster holds one policy per name");
                        from[name] = display;
                        policies.Add(policy);
                    }
                    else if (ClusterObjects.IsClusterKind(apiVersion, kind))
                    {
                        cluster = cluster.With(obj, display);
                    }
                }
            }
        }

        if (policies.Count == 0) throw TestInput.Error($"{source}: policies: the files hold no {ApiConstants.PolicyKind}");
        return (policies, cluster);
    }
}
