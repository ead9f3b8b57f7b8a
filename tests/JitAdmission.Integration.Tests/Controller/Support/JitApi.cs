using System.Text.Json;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Kubernetes.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace JitAdmission.Integration.Tests.Controller.Support;

/// <summary>ApprovalPolicy and ApprovalRequest calls as the admin makes them in the controller tests (no webhook runs).</summary>
public static class JitApi
{
    public static async Task<ApprovalPolicy> CreatePolicyAsync(this IKubernetes client, ApprovalPolicy policy)
    {
        policy.Metadata.Generation = null;
        policy.Metadata.Uid = null;
        return await client.CustomObjects.CreateClusterCustomObjectAsync<ApprovalPolicy>(policy, ApiConstants.Group, ApiConstants.Version, ApiConstants.PolicyPlural);
    }

    public static async Task<ApprovalPolicy?> GetPolicyAsync(this IKubernetes client, string name)
    {
        try
        {
            return await client.CustomObjects.GetClusterCustomObjectAsync<ApprovalPolicy>(ApiConstants.Group, ApiConstants.Version, ApiConstants.PolicyPlural, name);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Changes a policy's spec (read, modify, replace; retried on conflict with the controller's status writes).</summary>
    public static async Task UpdatePolicyAsync(this IKubernetes client, string name, Action<ApprovalPolicySpec> change)
    {
        for (var attempt = 0; ; attempt++)
        {
            var policy = (await client.GetPolicyAsync(name))!;
            change(policy.Spec);
            try
            {
                await client.CustomObjects.ReplaceClusterCustomObjectAsync<ApprovalPolicy>(policy, ApiConstants.Group, ApiConstants.Version, ApiConstants.PolicyPlural, name);
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict && attempt < 5)
            {
            }
        }
    }

    public static async Task<ApprovalRequest> CreateRequestAsync(this IKubernetes client, ApprovalRequest request)
    {
        request.Metadata.Uid = null;
        request.Metadata.ResourceVersion = null;
        request.Metadata.CreationTimestamp = null;
        request.Metadata.Generation = null;
        return await client.CustomObjects.CreateNamespacedCustomObjectAsync<ApprovalRequest>(
            request, ApiConstants.Group, ApiConstants.Version, request.Metadata.NamespaceProperty, ApiConstants.RequestPlural);
    }

    public static async Task<ApprovalRequest?> GetRequestAsync(this IKubernetes client, string ns, string name)
    {
        try
        {
            return await client.CustomObjects.GetNamespacedCustomObjectAsync<ApprovalRequest>(ApiConstants.Group, ApiConstants.Version, ns, ApiConstants.RequestPlural, name);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Appends a review as the stamping webhook would leave it (reviewer, decision, groups, time).</summary>
    public static async Task AddReviewAsync(this IKubernetes client, string ns, string name, Review review)
    {
        var patch = new[] { new { op = "add", path = "/spec/reviews/-", value = review } };
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(KubernetesJson.Serialize(patch), V1Patch.PatchType.JsonPatch), ApiConstants.Group, ApiConstants.Version, ns, ApiConstants.RequestPlural, name);
    }

    /// <summary>Polls the API server until the request satisfies <paramref name="condition"/>; returns it.</summary>
    public static async Task<ApprovalRequest> WaitForRequestAsync(this IKubernetes client, string ns, string name, Func<ApprovalRequest, bool> condition, TimeSpan? timeout = null, string? because = null)
    {
        ApprovalRequest? last = null;
        try
        {
            await Poll.UntilAsync(async () => (last = await client.GetRequestAsync(ns, name)) is { } r && condition(r), timeout ?? TimeSpan.FromSeconds(20), because);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; last seen: {(last is null ? "(none)" : KubernetesJson.Serialize(last.Status))}", e);
        }

        return last!;
    }

    public static async Task<ApprovalPolicy> WaitForPolicyAsync(this IKubernetes client, string name, Func<ApprovalPolicy, bool> condition, TimeSpan? timeout = null, string? because = null)
    {
        ApprovalPolicy? last = null;
        try
        {
            await Poll.UntilAsync(async () => (last = await client.GetPolicyAsync(name)) is { } p && condition(p), timeout ?? TimeSpan.FromSeconds(20), because);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; last seen: {(last is null ? "(none)" : KubernetesJson.Serialize(last.Status))}", e);
        }

        return last!;
    }

    public static V1Condition? Condition(this ApprovalPolicy policy, string type) => policy.Status?.Conditions.FirstOrDefault(c => c.Type == type);

    public static string? Announced(this ApprovalRequest request) => ApprovalAnnouncements.Recorded(request.Status);

    /// <summary>Reasons of the Events recorded about an object, oldest first (the recorder names Events after their time in ticks).</summary>
    public static async Task<IReadOnlyList<string>> EventReasonsAsync(this IKubernetes client, string ns, string name) =>
        [.. (await client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: $"involvedObject.name={name}")).Items
            .OrderBy(e => e.FirstTimestamp ?? e.EventTime ?? DateTime.MinValue)
            .ThenBy(e => e.Metadata.Name, StringComparer.Ordinal)
            .Select(e => e.Reason)];

    public static string Json(object value) => JsonSerializer.Serialize(value);
}
