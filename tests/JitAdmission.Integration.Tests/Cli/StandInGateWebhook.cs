using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Core.Messages;
using JitAdmission.Integration.Tests.Infrastructure;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace JitAdmission.Integration.Tests.Cli;

/// <summary>
/// A stand-in for jit-admission's validating webhook, for <c>kubectl jit apply</c> end to end until the real admission
/// handler is wired (src/JitAdmission/Program.cs maps no handler yet). It gates ConfigMaps labelled gated=true in one
/// namespace with one policy: it creates the ApprovalRequest for the change, decides with the real ApprovalEvaluator,
/// and denies with the real AdmissionMessages text and Core's machine-readable <see cref="GateDenial"/> in the Status
/// details — so the plugin reads exactly what the API server returns for a real denial.
/// It does not fingerprint, hold calls, stamp reviews or consume approvals: those belong to the real webhook's tests.
/// </summary>
internal sealed class StandInGateWebhook : IAsyncDisposable
{
    public const string ProbePrefix = "stand-in-probe";
    private const string ReadyMessage = "stand-in gate is serving";

    private readonly WebApplication _app;
    private readonly IKubernetes _admin;
    private readonly string _policy;

    private StandInGateWebhook(WebApplication app, IKubernetes admin, string policy)
    {
        _app = app;
        _admin = admin;
        _policy = policy;
    }

    public static async Task<StandInGateWebhook> StartAsync(KubeSandbox sandbox, string @namespace, string policy)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var certificate = PemCertificate.Load(sandbox.WebhookCertFile, sandbox.WebhookKeyFile);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        var gate = new StandInGateWebhook(app, sandbox.AdminClient(), policy);
        app.MapPost("/validate", gate.HandleAsync);
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;

        var caBundle = Convert.ToBase64String(await File.ReadAllBytesAsync(sandbox.CaFile));
        await sandbox.ApplyAsync($$$"""
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingWebhookConfiguration
            metadata: {name: cli-apply-stand-in}
            webhooks:
            - name: gate.cli.jitadmission.io
              admissionReviewVersions: ["v1"]
              sideEffects: NoneOnDryRun
              failurePolicy: Fail
              timeoutSeconds: 10
              clientConfig:
                url: https://127.0.0.1:{{{port}}}/validate
                caBundle: {{{caBundle}}}
              namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: {{{@namespace}}}}}
              objectSelector: {matchLabels: {gated: "true"}}
              rules:
              - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [configmaps]}
            """);
        await WaitUntilCalledAsync(sandbox, @namespace);
        return gate;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _admin.Dispose();
    }

    // The API server picks up a new webhook configuration through a watch; a probe object shows when it is in use.
    private static async Task WaitUntilCalledAsync(KubeSandbox sandbox, string @namespace)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var probe = await sandbox.KubectlAsync(sandbox.AdminKubeconfig, ["apply", "-f", "-"],
                $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {ProbePrefix}-{attempt}, namespace: {@namespace}, labels: {{gated: \"true\"}}}}\n");
            if (!probe.Succeeded && probe.Stderr.Contains(ReadyMessage, StringComparison.Ordinal)) return;
        }

        throw new TimeoutException("the API server never called the stand-in webhook");
    }

    private async Task HandleAsync(HttpContext context)
    {
        var review = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))!;
        var request = review["request"]!;
        var uid = (string)request["uid"]!;
        var name = (string?)request["name"] ?? "";
        if (name.StartsWith(ProbePrefix, StringComparison.Ordinal))
        {
            await RespondAsync(context, uid, ReadyMessage);
            return;
        }

        if ((bool?)request["dryRun"] == true)
        {
            await RespondAsync(context, uid, null);
            return;
        }

        var attributes = Attributes(request, uid, name);
        var now = DateTimeOffset.UtcNow;
        var policy = await _admin.CustomObjects.GetClusterCustomObjectAsync<ApprovalPolicy>(
            ApiConstants.Group, ApiConstants.Version, ApiConstants.PolicyPlural, _policy, context.RequestAborted);
        var approval = await GetOrCreateAsync(attributes, policy, context.RequestAborted);
        var evaluation = ApprovalEvaluator.Evaluate(approval, [policy], now);
        var (kind, message) = evaluation.Phase switch
        {
            RequestPhase.Approved => (DenialKind.NeedsApproval, (string?)null),
            RequestPhase.Denied => (DenialKind.Denied, AdmissionMessages.Denied(attributes, approval, evaluation)),
            RequestPhase.Expired => (DenialKind.Expired, AdmissionMessages.Expired(attributes, approval, evaluation)),
            _ when evaluation.MissingPolicies.Count > 0 || !evaluation.Effective.CanBeSatisfied =>
                (DenialKind.Unsatisfiable, AdmissionMessages.NeedsApproval(attributes, [policy], approval, evaluation, now)),
            _ => (DenialKind.NeedsApproval, AdmissionMessages.NeedsApproval(attributes, [policy], approval, evaluation, now)),
        };
        await RespondAsync(context, uid, message, message is null ? null : GateDenial.For(kind, approval));
    }

    private async Task<ApprovalRequest> GetOrCreateAsync(AdmissionAttributes change, ApprovalPolicy policy, CancellationToken cancellationToken)
    {
        var name = $"configmaps-{change.Name}-gate";
        try
        {
            return await _admin.CustomObjects.GetNamespacedCustomObjectAsync<ApprovalRequest>(
                ApiConstants.Group, ApiConstants.Version, change.Namespace, ApiConstants.RequestPlural, name, cancellationToken);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            var created = new ApprovalRequest
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = change.Namespace },
                Spec = new ApprovalRequestSpec
                {
                    Policies = [policy.Metadata.Name],
                    Requester = new Requester { Username = change.UserInfo.Username, Uid = change.UserInfo.Uid, Groups = [.. change.UserInfo.Groups] },
                    Action = new RequestedAction
                    {
                        Operation = change.Operation, Version = "v1", Resource = "configmaps", Kind = "ConfigMap",
                        Namespace = change.Namespace, Name = change.Name,
                    },
                    Scope = policy.Spec.Approval.Scope,
                    Reason = "applied with kubectl jit apply",
                    Change = $"{change.Operation} configmap {change.Namespace}/{change.Name}",
                },
            };
            return await _admin.CustomObjects.CreateNamespacedCustomObjectAsync<ApprovalRequest>(
                created, ApiConstants.Group, ApiConstants.Version, change.Namespace, ApiConstants.RequestPlural, cancellationToken: cancellationToken);
        }
    }

    private static AdmissionAttributes Attributes(JsonNode request, string uid, string name)
    {
        var user = request["userInfo"]!;
        return new AdmissionAttributes
        {
            Uid = uid,
            Operation = (string)request["operation"]!,
            Resource = new GroupVersionResource("", "v1", "configmaps"),
            Namespace = (string?)request["namespace"] ?? "",
            Name = name,
            UserInfo = new UserInfo(
                (string)user["username"]!, (string?)user["uid"], [.. user["groups"]?.AsArray().Select(g => (string)g!) ?? []]),
        };
    }

    private static Task RespondAsync(HttpContext context, string uid, string? denial, GateDenial? details = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("apiVersion", "admission.k8s.io/v1");
            json.WriteString("kind", "AdmissionReview");
            json.WriteStartObject("response");
            json.WriteString("uid", uid);
            json.WriteBoolean("allowed", denial is null);
            if (denial is not null)
            {
                json.WriteStartObject("status");
                json.WriteNumber("code", 403);
                json.WriteString("reason", "Forbidden");
                json.WriteString("message", denial);
                details?.WriteDetails(json);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted).AsTask();
    }
}
