using System.Diagnostics;
using System.Globalization;
using JitAdmission.Benchmarks.Load;
using JitAdmission.Core.Api;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace JitAdmission.Benchmarks.Orchestration;

public sealed partial class BenchRun
{
    /// <summary>
    /// Held calls through the real API server: the requester creates a ConfigMap that a policy gates; the API server
    /// calls the webhook, which creates the ApprovalRequest and holds the call; once it holds (the held-calls gauge),
    /// the approver adds an Approve review with the documented JSON patch. Measured: from just before that patch is
    /// sent to the requester's create returning (controller reconcile, watch, use recorded, API server answers).
    /// </summary>
    private async Task HeldCallsAsync()
    {
        const string policy = "bench-held";
        await Cluster.CreatePolicyAsync(_admin!, Cluster.HeldPolicy(policy, HeldNamespace));
        await Poll.UntilAsync(async () =>
        {
            var before = CreateCount(await _jit!.ScrapeAsync());
            try
            {
                await _requester!.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("probe"), HeldNamespace, dryRun: "All");
            }
            catch (HttpOperationException)
            {
            }

            return CreateCount(await _jit.ScrapeAsync()) > before;
        }, TimeSpan.FromSeconds(60), "the API server sends ConfigMap creates in the held namespace to the webhook", TimeSpan.FromMilliseconds(200));
        await QuiesceAsync(30);

        var held = _report.Held;
        held.Calls = options.HeldCalls;
        var patch = new List<double>();
        for (var i = 0; i < options.HeldCalls; i++)
        {
            var name = "held-" + i.ToString("D3", CultureInfo.InvariantCulture);
            var create = _requester!.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap(name), HeldNamespace);
            try
            {
                await Poll.UntilAsync(async () => create.IsCompleted || (await _jit!.ScrapeAsync()).Get("jitadmission_held_calls") >= 1,
                    TimeSpan.FromSeconds(15), $"the webhook holds the create of {name}", TimeSpan.FromMilliseconds(5));
                if (create.IsCompleted)
                {
                    await create;
                    throw new InvalidOperationException($"the create of {name} was not held");
                }

                var requests = await _admin!.CustomObjects.ListNamespacedCustomObjectAsync<ApprovalRequestList>(
                    Cluster.Group, Cluster.Version, HeldNamespace, ApiConstants.RequestPlural);
                var request = requests.Items.Single(r => r.Spec.Action.Name == name);

                var started = Stopwatch.GetTimestamp();
                await Cluster.ApproveAsync(_approver!, HeldNamespace, request.Metadata.Name, Approver);
                patch.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                await create;
                held.SamplesMs.Add(Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 2));
                held.Allowed++;
            }
            catch (Exception e) when (e is HttpOperationException or InvalidOperationException or TimeoutException or HttpRequestException)
            {
                held.Failed++;
                held.Errors.Add($"{name}: {e.Message}" + (e is HttpOperationException h ? " " + h.Response.Content : ""));
                try
                {
                    await create;
                }
                catch (HttpOperationException)
                {
                }
            }
        }

        held.ApproveToReturnMs = Percentiles.Of([.. held.SamplesMs.Order()]);
        held.ApprovePatchMs = Percentiles.Of([.. patch.Order()]);
        Log($"held calls: {held.Allowed}/{held.Calls} allowed after approval; approve→return p50 {held.ApproveToReturnMs.P50:0.0} ms, "
            + $"p99 {held.ApproveToReturnMs.P99:0.0} ms, max {held.ApproveToReturnMs.Max:0.0} ms (the approving patch itself: p50 {held.ApprovePatchMs.P50:0.0} ms)");
    }

    private static double CreateCount(PrometheusText metrics) =>
        metrics.Matching("jitadmission_admission_requests_total", "endpoint=\"/validate\"", "operation=\"CREATE\"").Sum(s => s.Value);

    private static V1ConfigMap ConfigMap(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = HeldNamespace },
        Data = new Dictionary<string, string> { ["feature-flag"] = "on" },
    };
}
