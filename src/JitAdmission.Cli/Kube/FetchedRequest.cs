namespace JitAdmission.Cli.Kube;

/// <summary>
/// An ApprovalRequest as the API server sent it (<see cref="Raw"/>, printed unchanged for -o json|yaml) and as the Core
/// type the evaluation works on (<see cref="Request"/>).
/// </summary>
internal sealed class FetchedRequest
{
    public FetchedRequest(JsonElement raw)
    {
        Raw = raw.Clone();
        Request = KubernetesJson.Deserialize<ApprovalRequest>(Raw.GetRawText());
        Request.Metadata ??= new();
        Request.Spec ??= new();
        Request.Spec.Policies ??= [];
        Request.Spec.Reviews ??= [];
        Request.Spec.Requester ??= new();
        Request.Spec.Requester.Groups ??= [];
        Request.Spec.Action ??= new();
    }

    public JsonElement Raw { get; }

    public ApprovalRequest Request { get; }

    public string Name => Request.Metadata.Name ?? "";

    public string Namespace => Request.Metadata.NamespaceProperty ?? "";

    public string ResourceVersion => Request.Metadata.ResourceVersion ?? "";

    /// <summary>Whether the stored object has a <c>spec.reviews</c> array (a JSON patch can append to it with <c>/-</c>).</summary>
    public bool HasReviewsArray =>
        Raw.TryGetProperty("spec", out var spec) && spec.TryGetProperty("reviews", out var reviews) && reviews.ValueKind == JsonValueKind.Array;
}
