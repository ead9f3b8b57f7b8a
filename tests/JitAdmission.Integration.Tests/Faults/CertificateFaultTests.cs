using System.Net.Security;
using System.Net.Sockets;
using JitAdmission.Integration.Tests.EndToEnd;
using JitAdmission.Kubernetes.Tests.Support;

namespace JitAdmission.Integration.Tests.Faults;

/// <summary>
/// The serving certificate under load: rotated while calls flow (none may fail), and a caBundle someone set wrong,
/// which the leader must find, report and restore.
/// </summary>
public sealed partial class FaultScenarioTests
{
    [Fact]
    public async Task A_serving_certificate_rotated_under_load_fails_no_call_and_a_wrong_ca_bundle_is_reported_and_restored()
    {
        const int Connections = 8;
        var seconds = Math.Max(FaultSettings.Seconds, 6);
        var tally = new FaultTally("serving certificate rotation, wrong caBundle", $"{Connections} connections using one Grant for {seconds} s per round; the certificate re-issued mid-way");
        var slowestRepair = TimeSpan.Zero;
        for (var round = 0; round < FaultSettings.Rounds; round++)
        {
            using var calls = await GatedCalls.CreatesGatedAsync(cluster, "certs", scope: "Grant");
            await calls.GrantAsync("alice-certs");
            var before = await ServedThumbprintsAsync();

            // Rotation: the serving pair is taken out of the Secret mid-load; the leader issues a new one from the same
            // CA within its check interval and every replica switches to it on the next handshake.
            var until = DateTime.UtcNow.AddSeconds(seconds);
            var load = Load(calls, Connections, until, $"r{round}");
            await Task.Delay(TimeSpan.FromSeconds(seconds) * (0.2 + 0.4 * _random.NextDouble()));
            cluster.Require(await cluster.AsAdmin("patch", "secret", await TlsSecretAsync(), "-n", cluster.Charted.Namespace, "--type=json", "-p",
                """[{"op":"remove","path":"/data/tls.crt"},{"op":"remove","path":"/data/tls.key"}]"""));
            tally.Injected.Add("serving certificate re-issued");
            var outcomes = await load;
            foreach (var outcome in outcomes) tally.Count(outcome);
            Assert.True(outcomes.All(o => o == CallOutcome.Allowed), $"{outcomes.Count(o => o != CallOutcome.Allowed)} of {outcomes.Count} calls not allowed during the rotation: {calls.LastFailure}");
            await Poll.UntilAsync(async () => (await ServedThumbprintsAsync()).Intersect(before, StringComparer.Ordinal).Any() is false,
                TimeSpan.FromSeconds(20), "every replica serves the new certificate");

            // A wrong caBundle on the gate: the API server cannot call it until the leader restores the bundle, which it
            // reports (a Warning Event on the configuration, a metric, its log).
            var repairs = await RepairsAsync();
            var wrongCa = Convert.ToBase64String(File.ReadAllBytes(cluster.Sandbox.CaFile));
            var repairing = System.Diagnostics.Stopwatch.StartNew();
            cluster.Require(await cluster.AsAdmin("patch", "validatingwebhookconfiguration", JitCluster.ConfigurationName, "--type=json", "-p",
                $$"""[{"op":"replace","path":"/webhooks/{{await GateIndexAsync()}}/clientConfig/caBundle","value":"{{wrongCa}}"}]"""));
            tally.Injected.Add("wrong caBundle");
            await Poll.UntilAsync(async () => await GateBundleAsync() != wrongCa, TimeSpan.FromSeconds(30), "the leader restores the caBundle");
            slowestRepair = repairing.Elapsed > slowestRepair ? repairing.Elapsed : slowestRepair;
            await Poll.UntilAsync(async () => await RepairsAsync() > repairs, TimeSpan.FromSeconds(10), "jitadmission_webhook_ca_bundle_repairs_total counts it");
            await Poll.UntilAsync(async () => (await cluster.AsAdmin("get", "events", "-n", "default", "--field-selector",
                    $"reason=CaBundleRepaired,involvedObject.name={JitCluster.ConfigurationName}", "-o", "name")).Stdout.Trim().Length > 0,
                TimeSpan.FromSeconds(10), "a CaBundleRepaired Event on the configuration");
            await GatedCalls.RetryUntilAllowedAsync(() => calls.CreateAsync($"after-{round}"), tally, TimeSpan.FromSeconds(30));

            tally.Uses += await Ledger.CheckAsync(cluster, calls.Namespace, "", tally, creates: true);
            tally.Rounds++;
        }

        foreach (var invariant in new[] { "no call failed during a rotation", "a wrong caBundle restored, with an Event and a metric" })
            tally.Invariants.Add(invariant);
        tally.Note = $"wrong caBundle restored within {slowestRepair.TotalSeconds:0.0} s";
        FaultReport.Write(tally);
    }

    private static Task<List<CallOutcome>> Load(GatedCalls calls, int connections, DateTime until, string prefix) =>
        Task.WhenAll(Enumerable.Range(0, connections).Select(c => Task.Run(async () =>
        {
            var outcomes = new List<CallOutcome>();
            for (var i = 0; DateTime.UtcNow < until; i++) outcomes.Add(await calls.CreateAsync($"cm-{prefix}-{c}-{i}"));
            return outcomes;
        }))).ContinueWith(t => t.Result.SelectMany(o => o).ToList(), TaskScheduler.Default);

    private async Task<string> TlsSecretAsync()
    {
        var secrets = await cluster.AsAdmin("get", "secrets", "-n", cluster.Charted.Namespace, "-o", "name");
        return secrets.Stdout.Split('\n').Select(s => s.Trim()).Single(s => s.EndsWith("-tls", StringComparison.Ordinal))["secret/".Length..];
    }

    private async Task<int> GateIndexAsync()
    {
        var names = await cluster.AsAdmin("get", "validatingwebhookconfiguration", JitCluster.ConfigurationName, "-o", "jsonpath={.webhooks[*].name}");
        return Array.IndexOf(names.Stdout.Trim().Split(' '), "gate.jitadmission.io");
    }

    private async Task<string> GateBundleAsync() =>
        (await cluster.AsAdmin("get", "validatingwebhookconfiguration", JitCluster.ConfigurationName, "-o",
            "jsonpath={.webhooks[?(@.name==\"gate.jitadmission.io\")].clientConfig.caBundle}")).Stdout.Trim();

    /// <summary>jitadmission_webhook_ca_bundle_repairs_total summed over the replicas.</summary>
    private async Task<double> RepairsAsync()
    {
        var total = 0.0;
        for (var i = 0; i < cluster.Charted.Replicas.Count; i++)
        {
            var metrics = await cluster.Charted.MetricsAsync(i);
            total += metrics.Split('\n').Where(l => l.StartsWith("jitadmission_webhook_ca_bundle_repairs_total{", StringComparison.Ordinal))
                .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }

        return total;
    }

    /// <summary>The thumbprint of the certificate each replica presents in a TLS handshake now.</summary>
    private async Task<List<string>> ServedThumbprintsAsync()
    {
        var thumbprints = new List<string>();
        for (var i = 0; i < cluster.Charted.Replicas.Count; i++)
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", cluster.Charted.PortOf(i));
            await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync("jit-admission");
            thumbprints.Add(tls.RemoteCertificate!.GetCertHashString());
        }

        return thumbprints;
    }
}
