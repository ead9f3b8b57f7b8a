using System.Globalization;
using System.Text.Json.Nodes;

namespace JitAdmission.Cli.PolicyTesting;

/// <summary>One entry of a test file's <c>cases</c>: the request, its cluster, its time and what it expects.</summary>
internal static class CaseReader
{
    private static readonly string[] Fields =
    [
        "name", "user", "groups", "operation", "resource", "apiVersion", "namespace", "objectName", "object", "oldObject",
        "dryRun", "time", "cluster", "expect",
    ];

    public static PolicyTestCase Read(JsonNode? node, int index, string source, string directory, ClusterObjects suiteCluster, DateTimeOffset suiteTime)
    {
        var name = (node as JsonObject)?["name"] is JsonValue v && v.TryGetValue<string>(out var text) && text.Trim().Length > 0 ? text : null;
        var path = name is null ? $"cases[{index}]" : $"cases[{index}] ({name})";
        var section = new TestFileSection(node, source, path).Only(Fields);
        if (name is null) throw section.Fail(section.At("name"), "required: what the case checks, e.g. \"alice scales web in prod\"");

        var spec = new CaseRequestSpec
        {
            Operation = section.RequiredString("operation").ToUpperInvariant(),
            User = section.RequiredString("user"),
            Groups = section.Strings("groups") ?? [],
            Resource = section.String("resource"),
            ApiVersion = section.String("apiVersion"),
            Namespace = section.String("namespace"),
            Name = section.String("objectName"),
            Object = Object(section, "object", directory),
            OldObject = Object(section, "oldObject", directory),
            DryRun = section.Bool("dryRun") ?? false,
        };
        var uid = string.Create(CultureInfo.InvariantCulture, $"jit-test-{index}");
        var request = CaseRequest.Build(spec, uid, (field, problem) => section.Fail(section.At(field), problem));
        var cluster = suiteCluster.With(SuiteReader.ReadCluster(section, directory));
        var time = SuiteReader.Time(section, suiteTime);
        var expect = ReadExpectation(section);
        return new PolicyTestCase(name, request, cluster.ToContext(), time, expect) { ClusterObjects = cluster.Describe() };
    }

    /// <summary>An object inline, or the one object in a file (relative to the test file).</summary>
    private static JsonObject? Object(TestFileSection section, string key, string directory)
    {
        switch (section.Node(key))
        {
            case null:
                return null;
            case JsonObject inline:
                return inline;
            case JsonValue value when value.TryGetValue<string>(out var entry):
                var at = $"{section.Source}: {section.At(key)}";
                var file = Path.GetFullPath(Path.Combine(directory, entry));
                if (Directory.Exists(file)) throw TestInput.Error($"{at}: \"{entry}\" is a directory: name the file holding the object");
                var objects = ManifestFiles.Objects(ManifestFiles.Expand(directory, entry, at)[0], ManifestFiles.Display(file));
                return objects.Count == 1 ? objects[0] : throw TestInput.Error($"{at}: \"{entry}\" must hold exactly one object, not {objects.Count}");
            default:
                throw section.Fail(section.At(key), "expected the object inline or the file holding it");
        }
    }

    private static CaseExpectation ReadExpectation(TestFileSection parent)
    {
        if (parent.Node("expect") is not { } node) throw parent.Fail(parent.At("expect"), "required: what jit-admission should answer");
        var section = new TestFileSection(node, parent.Source, parent.At("expect"))
            .Only("outcome", "gated", "policies", "enforcement", "scope", "approvers", "autoApprovedBy", "messageContains");
        var expectation = new CaseExpectation
        {
            Outcome = section.Enum<CaseOutcome>("outcome"),
            Gated = section.Bool("gated"),
            Policies = section.Strings("policies"),
            Enforcement = section.Enum<Enforcement>("enforcement"),
            Scope = section.Enum<ApprovalScope>("scope"),
            Approvers = Approvers(section),
            AutoApprovedBy = Rules(section),
            MessageContains = section.String("messageContains"),
        };
        if (expectation.IsEmpty)
        {
            throw parent.Fail(parent.At("expect"),
                "expects nothing: give at least one of outcome, gated, policies, enforcement, scope, approvers, autoApprovedBy, messageContains");
        }

        return expectation;
    }

    /// <summary>Auto-approval rules as requests record them, "policy/rule": a bare rule name could be any policy's.</summary>
    private static List<string>? Rules(TestFileSection expect)
    {
        var rules = expect.Strings("autoApprovedBy");
        for (var i = 0; rules is not null && i < rules.Count; i++)
        {
            if (rules[i].Split('/') is not [{ Length: > 0 }, { Length: > 0 }])
                throw expect.Fail($"{expect.At("autoApprovedBy")}[{i}]", $"\"{rules[i]}\" is not policy/rule, e.g. on-call-auto-approval/on-call");
        }

        return rules;
    }

    private static List<ExpectedApprover>? Approvers(TestFileSection expect)
    {
        if (expect.Array("approvers") is not { } entries) return null;
        var approvers = new List<ExpectedApprover>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = new TestFileSection(entries[i], expect.Source, $"{expect.At("approvers")}[{i}]").Only("name", "users", "groups", "minApprovals");
            var users = entry.Strings("users") ?? [];
            var groups = entry.Strings("groups") ?? [];
            if (users.Count == 0 && groups.Count == 0) throw entry.Fail(entry.Path, "an approver entry names users or groups");
            approvers.Add(new ExpectedApprover(entry.RequiredString("name"), users, groups, entry.Int("minApprovals") ?? 1));
        }

        return approvers;
    }
}
