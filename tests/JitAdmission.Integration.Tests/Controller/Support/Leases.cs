using k8s;
using k8s.Autorest;

namespace JitAdmission.Integration.Tests.Controller.Support;

public static class Leases
{
    /// <summary>Who holds the operator's Lease (empty when nobody does or it does not exist yet).</summary>
    public static async Task<string> HolderAsync(this IKubernetes client, string @namespace, string lease = "jit-admission")
    {
        try
        {
            return (await client.CoordinationV1.ReadNamespacedLeaseAsync(lease, @namespace)).Spec?.HolderIdentity ?? "";
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return "";
        }
    }
}
