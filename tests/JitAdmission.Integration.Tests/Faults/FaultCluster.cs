using JitAdmission.Integration.Tests.Infrastructure;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using JitAdmission.Integration.Tests.EndToEnd;
using JitAdmission.Kubernetes.Tests.Support;
using k8s;

namespace JitAdmission.Integration.Tests.Faults;

/// <summary>
/// The end-to-end cluster with a fault-injecting proxy (<see cref="JitCluster.ApiProxy"/>) between the replicas and
/// the API server, and watches renewed every 5–10 s instead of every 1–2 min, so that a silently stalled watch is
/// replaced within a scenario's time (the default is in docs/configuration.md; that held calls do not wait for it is
/// the gate's own check of a held request, <c>GateMachine.HeldRecheck</c>).
/// </summary>
public sealed class FaultCluster() : JitCluster(throughFaultProxy: true)
{
    public static readonly TimeSpan WatchTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan WatchGrace = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Also: serving certificates that live 3 minutes (the shortest allowed), so the leader re-issues one every 20 s
    /// or so during the whole suite, and checks every second (the rotation scenario re-issues one on demand).
    /// </summary>
    protected override IEnumerable<string> ReplicaArgs =>
    [
        "--Kubernetes:WatchTimeout=00:00:05", "--Kubernetes:WatchGrace=00:00:02",
        "--Certificates:ServingLifetime=00:03:00", "--Certificates:CheckInterval=00:00:01",
    ];

    /// <summary>
    /// Waits until every replica has caught up with the API server after a fault, and returns how long that took: a
    /// new policy and a Grant approved after the fault must both be in each replica's caches, asked of each replica
    /// directly (a dry-run review with the API server's client certificate, which names the approval it would use).
    /// Each replica's caches recover on their own (a re-watch, or a re-list after a retry delay); a scenario that
    /// follows a fault must not count that delay as its own failure.
    /// </summary>
    internal async Task<TimeSpan> SettleAsync()
    {
        var started = DateTime.UtcNow;
        await WaitUntilServingAsync();
        using var calls = await GatedCalls.CreatesGatedAsync(this, "settle", scope: "Grant");
        await calls.GrantAsync("settle");
        var expected = $"would use the approval ApprovalRequest settle in namespace {calls.Namespace}";
        using var http = ApiServerClient();
        for (var i = 0; i < Charted.Replicas.Count; i++)
        {
            var port = Charted.PortOf(i);
            await Poll.UntilAsync(async () => (await DryRunAsync(http, port, calls.Namespace)).Contains(expected, StringComparison.Ordinal),
                TimeSpan.FromSeconds(60), $"replica {i} sees the settle policy and Grant");
        }

        return DateTime.UtcNow - started;
    }

    /// <summary>
    /// Waits until the API server serves ApprovalRequests again after a restart: until its storage has re-initialized it
    /// answers 429 "storage is (re)initializing" (seconds, with thousands of requests stored).
    /// </summary>
    internal Task WaitUntilServingAsync() =>
        Poll.UntilAsync(async () =>
        {
            try
            {
                await Admin.CustomObjects.ListClusterCustomObjectAsync<Core.Api.ApprovalRequestList>(
                    Core.Api.ApiConstants.Group, Core.Api.ApiConstants.Version, Core.Api.ApiConstants.RequestPlural, limit: 1);
                return true;
            }
            catch (Exception e) when (e is k8s.Autorest.HttpOperationException or HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(90), "the API server serves ApprovalRequests again");

    /// <summary>An HTTPS client presenting the API server's webhook client certificate (the replicas require it).</summary>
    private HttpClient ApiServerClient()
    {
        var pki = Path.Combine(Sandbox.Dir, "pki");
        var certificate = PemCertificate.Load(Path.Combine(pki, "webhook-client.crt"), Path.Combine(pki, "webhook-client.key"));
        var handler = new HttpClientHandler
        {
            ClientCertificates = { certificate },
            // The replicas serve the chart's certificate for the Service name; the port is what identifies them here.
            ServerCertificateCustomValidationCallback = (_, _, _, _) => true,
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>The warnings of a dry-run review of alice creating a ConfigMap in <paramref name="namespace"/>.</summary>
    private static async Task<string> DryRunAsync(HttpClient http, int port, string @namespace)
    {
        var review = new JsonObject
        {
            ["apiVersion"] = "admission.k8s.io/v1",
            ["kind"] = "AdmissionReview",
            ["request"] = new JsonObject
            {
                ["uid"] = Guid.NewGuid().ToString(),
                ["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "ConfigMap" },
                ["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "configmaps" },
                ["name"] = "probe",
                ["namespace"] = @namespace,
                ["operation"] = "CREATE",
                ["userInfo"] = new JsonObject { ["username"] = "alice", ["groups"] = new JsonArray("devs", "system:authenticated") },
                ["object"] = new JsonObject
                {
                    ["apiVersion"] = "v1", ["kind"] = "ConfigMap",
                    ["metadata"] = new JsonObject { ["name"] = "probe", ["namespace"] = @namespace },
                    ["data"] = new JsonObject { ["mode"] = "maintenance" },
                },
                ["dryRun"] = true,
            },
        };
        try
        {
            using var response = await http.PostAsJsonAsync(new Uri($"https://127.0.0.1:{port}/validate"), review);
            return await response.Content.ReadAsStringAsync();
        }
        catch (HttpRequestException)
        {
            return ""; // a replica still starting
        }
    }
}
