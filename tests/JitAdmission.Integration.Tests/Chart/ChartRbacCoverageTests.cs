using System.Text.Json.Nodes;
using JitAdmission.Integration.Tests.Infrastructure;
using static JitAdmission.Integration.Tests.Chart.RenderedChart;

namespace JitAdmission.Integration.Tests.Chart;

/// <summary>
/// A sandbox API server of its own with an audit log, so that every request a client makes can be read back.
/// (The sandbox stores RBAC objects but does not enforce them; the audit log is how a test learns what the program
/// would need.)
/// </summary>
public sealed class AuditedSandbox : IAsyncLifetime
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("jit-audit-").FullName;

    public string AdminKubeconfig => Path.Combine(Dir, "admin.kubeconfig");

    public string AuditLog => Path.Combine(Dir, "audit.log");

    public string Kubectl { get; private set; } = "";

    private static string Home => Environment.GetEnvironmentVariable("KUBE_SANDBOX_HOME") is { Length: > 0 } home
        ? home
        : Path.GetFullPath(Path.Combine(ChartTools.RepoRoot, "..", "shared", "kube-sandbox"));

    public async Task InitializeAsync()
    {
        Kubectl = (await ToolPaths.GetAsync(Home)).Kubectl;
        var policy = Path.Combine(Dir, "audit-policy.yaml");
        await File.WriteAllTextAsync(policy, """
            apiVersion: audit.k8s.io/v1
            kind: Policy
            omitStages: [RequestReceived]
            rules:
              - level: Metadata
            """);
        var up = await ProcessRunner.RunAsync(Path.Combine(Home, "up"), [Dir, $"--audit-log-path={AuditLog}", $"--audit-policy-file={policy}"], timeout: TimeSpan.FromSeconds(60));
        if (!up.Succeeded) throw new InvalidOperationException($"kube-sandbox up failed: {up}");
    }

    public async Task DisposeAsync()
    {
        await ProcessRunner.RunAsync(Path.Combine(Home, "down"), [Dir], timeout: TimeSpan.FromSeconds(30));
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>A kubeconfig for a client certificate with CN=user, O=groups, at a path without colons.</summary>
    public async Task<string> UserKubeconfigAsync(string user, params string[] groups)
    {
        var made = await ProcessRunner.RunAsync(Path.Combine(Home, "mkuser"), [Dir, user, .. groups]);
        if (!made.Succeeded) throw new InvalidOperationException($"mkuser failed: {made}");
        var path = Path.Combine(Dir, $"user-{Guid.NewGuid():N}.kubeconfig");
        File.Copy(made.Stdout.Trim().Split('\n')[^1].Trim(), path);
        return path;
    }

    /// <summary>Completed requests of one user: (verb, group, resource, subresource, namespace, name, URI).</summary>
    internal IReadOnlyList<AuditedRequest> RequestsBy(string username) =>
        File.ReadLines(AuditLog)
            .Select(l => JsonNode.Parse(l)!.AsObject())
            .Where(e => Text(e["stage"]) == "ResponseComplete" && Text(e["user"]?["username"]) == username)
            .Select(e => new AuditedRequest(
                Text(e["verb"])!,
                Text(e["objectRef"]?["apiGroup"]) ?? "",
                Text(e["objectRef"]?["resource"]),
                Text(e["objectRef"]?["subresource"]),
                Text(e["objectRef"]?["namespace"]),
                Text(e["objectRef"]?["name"]),
                Text(e["requestURI"])!))
            .ToList();
}

internal sealed record AuditedRequest(string Verb, string Group, string? Resource, string? Subresource, string? Namespace, string? Name, string Uri)
{
    public string FullResource => Subresource is null ? Resource! : $"{Resource}/{Subresource}";

    public override string ToString() => $"{Verb} {Group}/{FullResource} {Namespace}/{Name} ({Uri})";
}

/// <summary>
/// The chart's RBAC covers every API request the real binary makes when it runs with the chart's arguments as the
/// chart's service account: start-up, identity, caches, the certificate Secret, leader election and its release.
/// Requests are read from the API server's audit log and checked against the rendered Role and ClusterRole with
/// the rules RBAC applies (resourceNames never grant create; list and watch carry the name of a metadata.name
/// field selector).
/// </summary>
public sealed class ChartRbacCoverageTests(AuditedSandbox sandbox) : IClassFixture<AuditedSandbox>
{
    private const string Release = "jit-audit";
    private const string Ns = "jit-audit";

    // What every authenticated user may do on a cluster (system:discovery, system:basic-user, system:public-info-viewer).
    private static readonly string[] DiscoveryPaths = ["/api", "/apis", "/version", "/healthz", "/livez", "/readyz", "/openapi"];

    [Fact]
    public async Task Every_request_of_the_program_is_allowed_by_the_charts_Role_and_ClusterRole()
    {
        var helm = await ChartTools.RunHelmAsync(["install", Release, ChartTools.ChartDirectory, "--namespace", Ns, "--create-namespace"], kubeconfig: sandbox.AdminKubeconfig);
        Assert.True(helm.Succeeded, helm.ToString());
        var manifest = await ChartTools.RunHelmAsync(["get", "manifest", Release, "--namespace", Ns], kubeconfig: sandbox.AdminKubeconfig);
        var chart = RenderedChart.Parse(manifest.Stdout);
        var serviceAccount = $"system:serviceaccount:{Ns}:{Text(chart.PodSpec["serviceAccountName"])}";
        var kubeconfig = await sandbox.UserKubeconfigAsync(serviceAccount, "system:serviceaccounts", $"system:serviceaccounts:{Ns}", "system:authenticated");

        await using (var program = await ChartProgramProcess.StartAsync(kubeconfig, chart.Args))
        {
            // Let it do what it does on start: take the Lease, fill the Secret, sync every cache.
            await program.WaitForOutputAsync("became the leader");
            await program.WaitForOutputAsync("Serving certificate loaded");
        }

        // After a graceful stop (it released the Lease), every request it made is in the log.
        var requests = sandbox.RequestsBy(serviceAccount);
        Assert.Contains(requests, r => r.Resource == "selfsubjectreviews" && r.Verb == "create");
        Assert.Contains(requests, r => r.Resource == "leases" && r.Verb == "update");
        Assert.Contains(requests, r => r.Resource == "secrets" && r.Verb == "update");
        Assert.Contains(requests, r => r.Resource == "approvalpolicies" && r.Verb == "watch");

        var roles = chart.OfKind("ClusterRole").Except(chart.UserRbac).Select(r => (Role: r, Namespace: (string?)null))
            .Concat(chart.OfKind("Role").Select(r => (Role: r, Namespace: Namespace(r))))
            .ToList();
        var denied = requests.Where(r => !Allowed(r, roles)).Select(r => r.ToString()).Distinct().ToList();
        Assert.Empty(denied);
    }

    private static bool Allowed(AuditedRequest request, List<(JsonObject Role, string? Namespace)> roles)
    {
        // system:basic-user lets every authenticated user ask who they are.
        if (request is { Group: "authentication.k8s.io", Resource: "selfsubjectreviews", Verb: "create" }) return true;
        if (request.Resource is null)
            return DiscoveryPaths.Any(p => request.Uri == p || request.Uri.StartsWith(p + "/", StringComparison.Ordinal) || request.Uri.StartsWith(p + "?", StringComparison.Ordinal));
        return Granted(request, roles);
    }

    private static bool Granted(AuditedRequest request, List<(JsonObject Role, string? Namespace)> roles) =>
        roles.Where(r => r.Namespace is null || r.Namespace == request.Namespace)
            .SelectMany(r => Items(r.Role["rules"]))
            .Any(rule =>
                Strings(rule["apiGroups"]).Contains(request.Group)
                && Strings(rule["resources"]).Contains(request.FullResource)
                && Strings(rule["verbs"]).Contains(request.Verb)
                && (Strings(rule["resourceNames"]) is not { Count: > 0 } names
                    || (request.Verb != "create" && request.Name is not null && names.Contains(request.Name))));
}
