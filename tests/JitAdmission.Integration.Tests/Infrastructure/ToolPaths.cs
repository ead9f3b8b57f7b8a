namespace JitAdmission.Integration.Tests.Infrastructure;

/// <summary>kubectl and helm: $KUBECTL/$HELM when set, otherwise fetched once by kube-sandbox's tools.sh.</summary>
public static class ToolPaths
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static (string Kubectl, string Helm)? _cached;

    public static async Task<(string Kubectl, string Helm)> GetAsync(string sandboxHome)
    {
        await Gate.WaitAsync();
        try
        {
            if (_cached is { } c) return c;
            string? kubectl = Environment.GetEnvironmentVariable("KUBECTL");
            string? helm = Environment.GetEnvironmentVariable("HELM");
            if (string.IsNullOrEmpty(kubectl) || string.IsNullOrEmpty(helm))
            {
                var r = await ProcessRunner.RunAsync("bash", [Path.Combine(sandboxHome, "tools.sh")], timeout: TimeSpan.FromMinutes(5));
                if (!r.Succeeded) throw new InvalidOperationException($"tools.sh failed: {r}");
                foreach (var line in r.Stdout.Split('\n'))
                {
                    if (line.StartsWith("KUBECTL=", StringComparison.Ordinal) && string.IsNullOrEmpty(kubectl)) kubectl = line["KUBECTL=".Length..].Trim();
                    if (line.StartsWith("HELM=", StringComparison.Ordinal) && string.IsNullOrEmpty(helm)) helm = line["HELM=".Length..].Trim();
                }
            }

            if (string.IsNullOrEmpty(kubectl) || string.IsNullOrEmpty(helm))
                throw new InvalidOperationException("could not find kubectl and helm (set KUBECTL and HELM)");
            _cached = (kubectl, helm);
            return _cached.Value;
        }
        finally
        {
            Gate.Release();
        }
    }
}
