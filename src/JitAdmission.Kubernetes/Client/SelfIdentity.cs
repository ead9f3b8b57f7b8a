namespace JitAdmission.Kubernetes.Client;

/// <summary>Who the API server says our credentials are.</summary>
public sealed record ClientIdentity(string Username, string? Uid, IReadOnlyList<string> Groups)
{
    public override string ToString() => $"{Username} [{string.Join(", ", Groups)}]";
}

public static class SelfIdentity
{
    /// <summary>
    /// Asks the API server through a SelfSubjectReview (authentication.k8s.io/v1), which works the same in and out of
    /// cluster: the service account's <c>system:serviceaccount:NS:NAME</c> in a pod, the kubeconfig user outside.
    /// </summary>
    public static async Task<ClientIdentity> WhoAmIAsync(IKubernetes client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var review = await client.AuthenticationV1.CreateSelfSubjectReviewAsync(
            new V1SelfSubjectReview { ApiVersion = "authentication.k8s.io/v1", Kind = "SelfSubjectReview" }, cancellationToken: cancellationToken);
        var user = review.Status?.UserInfo ?? throw new InvalidOperationException("the API server returned a SelfSubjectReview without userInfo");
        if (string.IsNullOrEmpty(user.Username)) throw new InvalidOperationException("the API server did not tell our username");
        return new ClientIdentity(user.Username, user.Uid, [.. user.Groups ?? []]);
    }
}
