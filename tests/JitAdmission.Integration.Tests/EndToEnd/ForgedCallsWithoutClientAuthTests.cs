using System.Text.Json;
using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.Infrastructure;
using k8s;

namespace JitAdmission.Integration.Tests.EndToEnd;

/// <summary>
/// The chart installed without client authentication (managed clusters rarely let the API server present a client
/// certificate): anyone who reaches the webhook can post reviews. The reported bypass — a forged break-glass review
/// whose record the forger's later real change consumes — must not work, a forged old object must not reach what
/// approvers read, and what is left (Pending requests in someone's name) is bounded by the per-requester cap.
/// </summary>
public sealed class ForgedCallsWithoutClientAuthTests : IAsyncLifetime
{
    private const string Ns = "forged";
    private const string Policy = """
        apiVersion: jitadmission.io/v1alpha1
        kind: ApprovalPolicy
        metadata: {name: forged-configmaps}
        spec:
          match:
            resources: [{apiGroups: [""], resources: [configmaps], operations: [CREATE, UPDATE]}]
            namespaces: [forged]
          approval:
            approvers: [{name: sre, groups: [sre]}]
            wait: 0s
            # A rule that would approve anything: without client authentication it must never be applied.
            autoApprove: [{name: everything, approves: [sre], rule: "true"}]
          breakGlass: {groups: [on-call]}
        """;

    private readonly KubeSandbox _sandbox = new();
    private ChartedJitAdmission _jit = null!;
    private string _alice = "";

    public async Task InitializeAsync()
    {
        await _sandbox.InitializeAsync();
        _jit = await ChartedJitAdmission.InstallAsync(_sandbox, "jit-admission", "jit-forged", replicas: 1, clientAuth: false,
            setValues: ["gate.maxPendingPerRequester=3"]);
        await _sandbox.AdminKubectlAsync("create", "namespace", Ns);
        _alice = await _sandbox.UserKubeconfigAsync("alice", "devs");
        await _sandbox.BindAsync("edit", "alice", Ns);
        await _sandbox.ApplyAsync(Policy);
        await Kubernetes.Tests.Support.Poll.UntilAsync(async () => (await _sandbox.KubectlAsync(_alice, ["create", "configmap", "probe", "-n", Ns, "--dry-run=server"]))
            .Stderr.Contains("dry run:", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the policy gates");
    }

    public async Task DisposeAsync()
    {
        if (_jit is not null) await _jit.DisposeAsync();
        await _sandbox.DisposeAsync();
    }

    private async Task<List<ApprovalRequest>> RequestsAsync()
    {
        using var admin = _sandbox.AdminClient();
        var list = await admin.CustomObjects.ListNamespacedCustomObjectAsync<ApprovalRequestList>(ApiConstants.Group, ApiConstants.Version, Ns, ApiConstants.RequestPlural);
        return [.. list.Items];
    }

    /// <summary>curl with alice's own client certificate, straight at the replica: any pod could do the same.</summary>
    private async Task<JsonElement> ForgeAsync(object request)
    {
        var file = Path.Combine(_sandbox.Dir, $"forged-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new { apiVersion = "admission.k8s.io/v1", kind = "AdmissionReview", request }));
        var curl = await ProcessRunner.RunAsync("curl", [
            "-sk", "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "@" + file,
            "--cert", Path.Combine(_sandbox.Dir, "users", "alice.crt"), "--key", Path.Combine(_sandbox.Dir, "users", "alice.key"),
            _jit.Replicas[0]!.ListenUrl + "/validate"]);
        Assert.True(curl.Succeeded, curl.ToString());
        using var answer = JsonDocument.Parse(curl.Stdout);
        return answer.RootElement.GetProperty("response").Clone();
    }

    private static object Review(string operation, string name, object obj, object? oldObj = null, string user = "alice", string[]? groups = null) => new
    {
        uid = Guid.NewGuid().ToString(),
        kind = new { group = "", version = "v1", kind = "ConfigMap" },
        resource = new { group = "", version = "v1", resource = "configmaps" },
        name,
        @namespace = Ns,
        operation,
        userInfo = new { username = user, groups = groups ?? ["devs", "system:authenticated"] },
        @object = obj,
        oldObject = oldObj,
        dryRun = false,
    };

    private static object ConfigMap(string name, string mode, Dictionary<string, string>? annotations = null) =>
        new { apiVersion = "v1", kind = "ConfigMap", metadata = new { name, @namespace = Ns, annotations }, data = new { mode } };

    [Fact]
    public async Task A_forged_break_glass_review_records_nothing_the_real_change_could_use()
    {
        var breakGlass = new Dictionary<string, string> { ["jitadmission.io/break-glass"] = "INC-1 trust me" };

        var forged = await ForgeAsync(Review("CREATE", "bypass", ConfigMap("bypass", "open", breakGlass), groups: ["on-call", "system:authenticated"]));
        var real = await _sandbox.KubectlAsync(_alice, ["create", "-f", "-"], """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: bypass
              namespace: forged
              annotations: {jitadmission.io/break-glass: "INC-1 trust me"}
            data: {mode: open}
            """);

        Assert.False(forged.GetProperty("allowed").GetBoolean());
        Assert.DoesNotContain(await RequestsAsync(), r => r.Spec.BreakGlass);
        Assert.False(real.Succeeded, real.ToString());
        Assert.Contains("needs approval", real.Stderr, StringComparison.Ordinal);
        Assert.Contains("kubectl jit request --break-glass", real.Stderr, StringComparison.Ordinal);
        Assert.False((await _sandbox.AdminKubectlAsync("get", "configmap", "bypass", "-n", Ns)).Succeeded);
    }

    [Fact]
    public async Task A_forged_old_object_never_reaches_what_approvers_read()
    {
        // (In someone else's name than alice's: her real calls in this class stay under the cap of 3 pending requests.)
        await ForgeAsync(Review("UPDATE", "settings", ConfigMap("settings", "maintenance"), ConfigMap("settings", "DROP-ALL-TABLES"), user: "mallory"));

        var request = Assert.Single(await RequestsAsync(), r => r.Spec.Action.Name == "settings");
        Assert.DoesNotContain("DROP-ALL-TABLES", request.Spec.Change, StringComparison.Ordinal);
        Assert.Contains("= data.mode: \"maintenance\"", request.Spec.Change, StringComparison.Ordinal);
        Assert.Equal("maintenance", request.Spec.Object!.Value.GetProperty("data").GetProperty("mode").GetString());
    }

    [Fact]
    public async Task Auto_approval_rules_are_never_applied_when_the_caller_is_not_authenticated()
    {
        var forged = await ForgeAsync(Review("CREATE", "ruled", ConfigMap("ruled", "x"), user: "mallory"));
        var real = await _sandbox.KubectlAsync(_alice, ["create", "configmap", "ruled-real", "-n", Ns, "--from-literal=mode=x"]);

        Assert.False(forged.GetProperty("allowed").GetBoolean());
        Assert.False(real.Succeeded, real.ToString());
        Assert.Contains("auto-approval rules are not applied here", real.Stderr, StringComparison.Ordinal);
        Assert.All(await RequestsAsync(), r => Assert.Null(r.Spec.AutoApprovals));
        Assert.False((await _sandbox.AdminKubectlAsync("get", "configmap", "ruled-real", "-n", Ns)).Succeeded);
    }

    [Fact]
    public async Task A_forged_no_op_update_is_answered_but_records_nothing_and_lets_no_change_through()
    {
        // object == oldObject: the gate answers "nothing changes" — to the forger only; no request, no use is written.
        var before = (await RequestsAsync()).Count;
        var forged = await ForgeAsync(Review("UPDATE", "noop", ConfigMap("noop", "same"), ConfigMap("noop", "same"), user: "mallory"));
        Assert.True(forged.GetProperty("allowed").GetBoolean());
        Assert.Equal(before, (await RequestsAsync()).Count);

        // The real object with that content still needs approval to be created.
        var real = await _sandbox.KubectlAsync(_alice, ["create", "configmap", "noop", "-n", Ns, "--from-literal=mode=same"]);
        Assert.False(real.Succeeded, real.ToString());
        Assert.Contains("needs approval", real.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forged_calls_can_make_only_a_bounded_number_of_requests_in_someones_name()
    {
        for (var i = 0; i < 6; i++) await ForgeAsync(Review("CREATE", $"noise-{i}", ConfigMap($"noise-{i}", "x"), user: "victim"));

        var victims = (await RequestsAsync()).Where(r => r.Spec.Requester.Username == "victim").ToList();
        Assert.Equal(3, victims.Count);
        var answer = await ForgeAsync(Review("CREATE", "noise-7", ConfigMap("noise-7", "x"), user: "victim"));
        Assert.Contains("already has 3 pending approval requests (at most 3 per requester)", answer.GetProperty("status").GetProperty("message").GetString(),
            StringComparison.Ordinal);
        Assert.Equal("TooManyPending", Core.Admission.GateDenial.TryRead(answer.GetProperty("status"))?.Kind.ToString());
    }
}
