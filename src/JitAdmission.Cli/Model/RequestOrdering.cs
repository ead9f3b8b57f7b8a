namespace JitAdmission.Cli.Model;

/// <summary>The order of <c>kubectl jit list</c>: pending requests first (what needs attention), then the newest first.</summary>
internal static class RequestOrdering
{
    public static IEnumerable<RequestView> Sort(IEnumerable<RequestView> views) =>
        views
            .OrderBy(v => v.IsPending ? 0 : 1)
            .ThenByDescending(v => v.Created ?? DateTimeOffset.MinValue)
            .ThenBy(v => v.Fetched.Namespace, StringComparer.Ordinal)
            .ThenBy(v => v.Fetched.Name, StringComparer.Ordinal);
}
