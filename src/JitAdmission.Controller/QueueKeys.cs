namespace JitAdmission.Controller;

/// <summary>Work-queue keys are cache keys: <c>namespace/name</c>, or <c>name</c> for cluster-scoped objects.</summary>
public static class QueueKeys
{
    public static (string? Namespace, string Name) Split(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (null, key) : (key[..slash], key[(slash + 1)..]);
    }
}
