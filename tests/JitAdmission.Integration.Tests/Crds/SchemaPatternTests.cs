using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JitAdmission.Core.Api;
using JitAdmission.Core.Time;

namespace JitAdmission.Integration.Tests.Crds;

/// <summary>
/// The string formats in the CRDs agree with the engine: every duration the schema admits parses with GoDuration
/// (the parser the engine uses), and the schedule times are HH:MM.
/// </summary>
public sealed class SchemaPatternTests
{
    private static readonly JsonObject PolicySchema = CrdFiles.OpenApiSchema(CrdFiles.Load(CrdFiles.PolicyCrd));

    private static readonly string[] DurationFieldPaths = ["spec.approval.requestTTL", "spec.approval.validFor", "spec.approval.wait"];

    public static TheoryData<string> DurationFields => new(DurationFieldPaths);

    public static TheoryData<string, bool> Durations => new()
    {
        { "1h", true },
        { "15m", true },
        { "10s", true },
        { "1h30m", true },
        { "1h30m15s", true },
        { "500ms", true },
        { "1.5s", true },
        { "250us", true },
        { "250µs", true },
        { "100ns", true },
        { "0", true },
        { "0s", true },
        { "1d", false },
        { "2w", false },
        { "15", false },
        { "", false },
        { "-1s", false },
        { "+1s", false },
        { "1h 30m", false },
        { " 1h", false },
        { "h", false },
        { ".5s", false },
        { "1.s", false },
        { "1H", false },
        { "PT1H", false },
    };

    [Theory]
    [MemberData(nameof(Durations))]
    public void Duration_pattern_admits_only_what_GoDuration_parses(string text, bool admitted)
    {
        foreach (var field in DurationFieldPaths)
        {
            var pattern = (string)CrdFiles.SchemaAt(PolicySchema, field)["pattern"]!;

            Assert.True(Regex.IsMatch(text, pattern) == admitted, $"{field} pattern {pattern} should {(admitted ? "admit" : "reject")} \"{text}\"");
            if (admitted) Assert.True(GoDuration.TryParse(text, out _, out var error), $"schema admits \"{text}\" but GoDuration rejects it: {error}");
        }
    }

    [Theory]
    [MemberData(nameof(DurationFields))]
    public void Duration_default_is_admitted_by_its_own_pattern_and_parses(string field)
    {
        var node = CrdFiles.SchemaAt(PolicySchema, field);
        var value = (string)node["default"]!;

        Assert.Matches((string)node["pattern"]!, value);
        Assert.True(GoDuration.TryParse(value, out var parsed, out var error) && parsed > TimeSpan.Zero, error);
    }

    [Fact]
    public void Wait_limit_in_the_schema_is_ApiLimits_MaxWait()
    {
        var rules = CrdFiles.SchemaAt(PolicySchema, "spec.approval.wait")["x-kubernetes-validations"]!.AsArray()
            .Select(r => (string?)r!["rule"]);

        Assert.Contains($"duration(self) <= duration('{GoDuration.Format(ApiLimits.MaxWait)}')", rules);
    }

    public static TheoryData<string, bool, bool> Times => new()
    {
        // text, valid as "from", valid as "to"
        { "00:00", true, true },
        { "08:30", true, true },
        { "18:00", true, true },
        { "23:59", true, true },
        { "24:00", false, true },
        { "24:01", false, false },
        { "25:00", false, false },
        { "12:60", false, false },
        { "8:00", false, false },
        { "0800", false, false },
        { "08:00:00", false, false },
        { "", false, false },
    };

    [Theory]
    [MemberData(nameof(Times))]
    public void Schedule_times_are_HH_MM_and_only_to_may_be_24_00(string text, bool validFrom, bool validTo)
    {
        var window = "spec.schedule.windows[]";
        var from = (string)CrdFiles.SchemaAt(PolicySchema, window + ".from")["pattern"]!;
        var to = (string)CrdFiles.SchemaAt(PolicySchema, window + ".to")["pattern"]!;

        Assert.Equal(validFrom, Regex.IsMatch(text, from));
        Assert.Equal(validTo, Regex.IsMatch(text, to));
    }
}
