using JitAdmission.Webhook.Endpoints;

namespace JitAdmission.Webhook.Tests;

public sealed class AdmissionDeadlineTests
{
    public static TheoryData<string?, double, double, double> Cases => new()
    {
        // query, handler timeout s, margin s, expected s
        { null, 28, 1, 28 },
        { "", 28, 1, 28 },
        { "?timeout=10s", 28, 1, 9 },
        { "?timeout=30s", 28, 1, 28 },
        { "?timeout=1m0s", 28, 1, 28 },
        { "?dryRun=All&timeout=5s", 28, 1, 4 },
        { "?timeout=1s", 28, 1, 0.5 },
        { "?timeout=500ms", 28, 0.1, 0.4 },
        { "?timeout=banana", 28, 1, 28 },
        { "?timeout=-5s", 28, 1, 28 },
        { "?xtimeout=5s", 28, 1, 28 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Handler_deadline_ends_before_the_api_servers(string? query, double handlerTimeout, double margin, double expected)
    {
        var deadline = AdmissionDeadline.For(query, TimeSpan.FromSeconds(handlerTimeout), TimeSpan.FromSeconds(margin));

        Assert.Equal(TimeSpan.FromSeconds(expected), deadline);
    }
}
