using System.Text.RegularExpressions;

namespace JitAdmission.Webhook.Tests.Monitoring;

/// <summary>The shipped dashboard, alerts and runbook, and what the tests of each check queries with.</summary>
public static partial class MonitoringFiles
{
    public static string Root { get; } = FindRoot();

    public static string Dashboard => Path.Combine(Root, "deploy", "monitoring", "jit-admission-dashboard.json");

    public static string Alerts => Path.Combine(Root, "deploy", "monitoring", "jit-admission-alerts.yaml");

    public static string Operations => Path.Combine(Root, "docs", "operations.md");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "JitAdmission.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root (JitAdmission.sln) not found above " + AppContext.BaseDirectory);
    }

    private static readonly Lazy<Task<HashSet<string>>> Names = new(async () =>
    {
        var names = ExposedMetrics.Names(await ExposedMetrics.ScrapeAsync());
        names.UnionWith(ExposedMetrics.ApiServer.Keys);
        return names;
    });

    /// <summary>Every metric name a query may use.</summary>
    public static Task<HashSet<string>> KnownNamesAsync() => Names.Value;

    /// <summary>
    /// Checks one query: it parses, names only known metrics, and filters the API server's metrics only on labels they
    /// have. Returns the problems found (empty when none).
    /// </summary>
    public static List<string> Problems(string where, string query, HashSet<string> known)
    {
        PromQlNode parsed;
        try
        {
            parsed = PromQlParser.Parse(query);
        }
        catch (PromQlException e)
        {
            return [$"{where}: {e.Message} in: {query}"];
        }

        var problems = new List<string>();
        foreach (var selector in parsed.Descendants().OfType<PromQlSelector>())
        {
            if (selector.Metric is null) problems.Add($"{where}: a selector without a metric name: {query}");
            else if (!known.Contains(selector.Metric)) problems.Add($"{where}: no such metric {selector.Metric}");
            else if (ExposedMetrics.ApiServer.TryGetValue(selector.Metric, out var labels))
            {
                foreach (var matcher in selector.Matchers.Where(m => !labels.Contains(m.Label)))
                    problems.Add($"{where}: {selector.Metric} has no label {matcher.Label}");
            }
        }

        return problems;
    }

    /// <summary>GitHub's anchors of a Markdown file's headings: lower case, punctuation dropped, spaces to '-'.</summary>
    public static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match heading in Heading().Matches(markdown))
        {
            var text = heading.Groups[1].Value.Trim().ToLowerInvariant();
            anchors.Add(Punctuation().Replace(text, "").Replace(' ', '-'));
        }

        return anchors;
    }

    [GeneratedRegex(@"^#{1,6}\s+(.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\p{L}\p{Nd}\- _]")]
    private static partial Regex Punctuation();
}
