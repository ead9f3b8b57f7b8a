using JitAdmission.Core.Api;
using JitAdmission.Core.Tests.TestSupport;
using JitAdmission.Core.Validation;
using k8s.Models;
using static JitAdmission.Core.Tests.TestSupport.MatchPolicyBuilder;

namespace JitAdmission.Core.Tests.Validation;

public class PolicyValidatorTests
{
    private static readonly Dictionary<string, (Action<ApprovalPolicySpec> Change, string Error)> Invalid = new()
    {
        // spec.match
        ["no resource rules"] = (s => s.Match.Resources.Clear(), "spec.match.resources: at least one resource rule is required"),
        ["no api groups"] = (s => s.Match.Resources[0].ApiGroups.Clear(), "spec.match.resources[0].apiGroups: at least one API group is required"),
        ["bad api group"] = (s => s.Match.Resources[0].ApiGroups = ["Apps"], "spec.match.resources[0].apiGroups[0]: \"Apps\" is not an API group"),
        ["bad api version"] = (s => s.Match.Resources[0].ApiVersions = ["V1"], "spec.match.resources[0].apiVersions[0]: \"V1\" is not an API version"),
        ["no resources"] = (s => s.Match.Resources[0].Resources.Clear(), "spec.match.resources[0].resources: at least one resource is required"),
        ["glob resource"] = (s => s.Match.Resources[0].Resources = ["deploy*"], "spec.match.resources[0].resources[0]: \"deploy*\" is not a resource"),
        ["no operations"] = (s => s.Match.Resources[0].Operations.Clear(), "spec.match.resources[0].operations: at least one operation is required"),
        ["lower-case operation"] = (s => s.Match.Resources[0].Operations = ["update"], "spec.match.resources[0].operations[0]: \"update\" is not an operation"),
        ["unknown operation"] = (s => s.Match.Resources[0].Operations = ["PATCH"], "spec.match.resources[0].operations[0]: \"PATCH\" is not an operation"),
        ["upper-case namespace"] = (s => s.Match.Namespaces = ["Prod"], "spec.match.namespaces[0]: \"Prod\" is not a namespace name or glob"),
        ["empty namespace"] = (s => s.Match.Namespaces = [""], "spec.match.namespaces[0]"),
        ["underscore namespace"] = (s => s.Match.Namespaces = ["prod_*"], "spec.match.namespaces[0]"),
        ["empty name"] = (s => s.Match.Names = [""], "spec.match.names[0]"),
        ["name with a space"] = (s => s.Match.Names = ["a b"], "spec.match.names[0]: \"a b\" is not a name or glob"),
        ["unknown selector operator"] = (s => s.Match.NamespaceSelector = Expression("env", "Equals", "prod"), "spec.match.namespaceSelector.matchExpressions[0].operator: \"Equals\" is not an operator"),
        ["In without values"] = (s => s.Match.ObjectSelector = Expression("env", "In"), "spec.match.objectSelector.matchExpressions[0].values: operator In needs at least one value"),
        ["Exists with values"] = (s => s.Match.ObjectSelector = Expression("env", "Exists", "x"), "spec.match.objectSelector.matchExpressions[0].values: operator Exists takes no values"),
        ["bad selector key"] = (s => s.Match.ObjectSelector = Expression("-env", "Exists"), "spec.match.objectSelector.matchExpressions[0].key: \"-env\" is not a valid label key"),
        ["bad selector value"] = (s => s.Match.ObjectSelector = Expression("env", "NotIn", "a b"), "spec.match.objectSelector.matchExpressions[0].values[0]"),
        ["bad matchLabels key"] = (s => s.Match.NamespaceSelector = Labels(("bad key", "x")), "spec.match.namespaceSelector.matchLabels: \"bad key\" is not a valid label key"),
        ["bad matchLabels value"] = (s => s.Match.NamespaceSelector = Labels(("env", "-x")), "spec.match.namespaceSelector.matchLabels[env]"),
        ["service account without namespace"] = (s => s.Match.Subjects = new SubjectMatch { Exclude = [new SubjectRef { Kind = SubjectKind.ServiceAccount, Name = "deployer" }] }, "spec.match.subjects.exclude[0].namespace: a ServiceAccount subject needs the namespace"),
        ["user with a namespace"] = (s => s.Match.Subjects = new SubjectMatch { Include = [new SubjectRef { Kind = SubjectKind.User, Name = "alice", Namespace = "ci" }] }, "spec.match.subjects.include[0].namespace: only ServiceAccount subjects have a namespace"),
        ["subject without a name"] = (s => s.Match.Subjects = new SubjectMatch { Include = [new SubjectRef { Kind = SubjectKind.Group, Name = "" }] }, "spec.match.subjects.include[0].name"),

        // spec.conditions and spec.context
        ["condition without a name"] = (s => s.Conditions.Add(new PolicyCondition { Name = "", Expression = "true" }), "spec.conditions[0].name: a condition name is required"),
        ["duplicate condition names"] = (s => s.Conditions.AddRange([new() { Name = "a", Expression = "true" }, new() { Name = "a", Expression = "true" }]), "spec.conditions[1].name: duplicate condition name \"a\""),
        ["syntax error"] = (s => s.Conditions.Add(new PolicyCondition { Name = "a", Expression = "object.spec.replicas >" }), "spec.conditions[0].expression: syntax error"),
        ["unknown variable"] = (s => s.Conditions.Add(new PolicyCondition { Name = "a", Expression = "self.x == 1" }), "spec.conditions[0].expression: column 1: unknown variable 'self'"),
        ["unknown function"] = (s => s.Conditions.Add(new PolicyCondition { Name = "a", Expression = "object.x.lowerAscii() == 'a'" }), "spec.conditions[0].expression: column 10: unknown function 'lowerAscii'"),
        ["expression over 4 KiB"] = (s => s.Conditions.Add(new PolicyCondition { Name = "a", Expression = "'" + new string('x', 5000) + "' != ''" }), "spec.conditions[0].expression: expression is 5008 bytes, more than the maximum of 4096"),
        ["undeclared context"] = (s => s.Conditions.Add(new PolicyCondition { Name = "a", Expression = "context.incident.data.open == 'true'" }), "spec.conditions[0].expression: column 9: context.incident is not declared"),
        ["context name not an identifier"] = (s => s.Context.Add(Ref("1st", "ops", "cm")), "spec.context[0].name: \"1st\" is not a CEL identifier"),
        ["context name reserved"] = (s => s.Context.Add(Ref("in", "ops", "cm")), "spec.context[0].name: \"in\" is not a CEL identifier"),
        ["duplicate context names"] = (s => s.Context.AddRange([Ref("a", "ops", "x"), Ref("a", "ops", "y")]), "spec.context[1].name: duplicate context name \"a\""),
        ["context without namespace"] = (s => s.Context.Add(Ref("a", "", "cm")), "spec.context[0].configMap.namespace"),
        ["context without name"] = (s => s.Context.Add(Ref("a", "ops", "")), "spec.context[0].configMap.name"),

        // spec.schedule
        ["unknown time zone"] = (s => s.Schedule = new PolicySchedule { TimeZone = "Europe/Atlantis", Windows = [Window("09:00", "17:00")] }, "spec.schedule.timeZone: unknown time zone \"Europe/Atlantis\""),
        ["schedule without windows"] = (s => s.Schedule = new PolicySchedule { TimeZone = "UTC" }, "spec.schedule.windows: at least one window is required"),
        ["bad day"] = (s => s.Schedule = new PolicySchedule { TimeZone = "UTC", Windows = [Window("09:00", "17:00", "Mo")] }, "spec.schedule.windows[0].days[0]: \"Mo\" is not a day"),
        ["bad time"] = (s => s.Schedule = new PolicySchedule { TimeZone = "UTC", Windows = [Window("9", "17:00")] }, "spec.schedule.windows[0].from: \"9\" is not a time"),

        // spec.approval, spec.breakGlass, spec.notify
        ["no approvers"] = (s => s.Approval.Approvers.Clear(), "spec.approval.approvers: at least one approver entry is required"),
        ["approver entry without people"] = (s => s.Approval.Approvers = [new ApproverRule { Name = "x" }], "spec.approval.approvers[0]: list users or groups who may approve"),
        ["blank approver user"] = (s => s.Approval.Approvers = [new ApproverRule { Users = [" "] }], "spec.approval.approvers[0].users[0]: must not be empty"),
        ["every authenticated user as approvers"] = (s => s.Approval.Approvers = [new ApproverRule { Groups = ["sre", "system:authenticated"] }],
            "spec.approval.approvers[0].groups[1]: \"system:authenticated\" is a group every account of its kind has"),
        ["every ServiceAccount as approvers"] = (s => s.Approval.Approvers = [new ApproverRule { Groups = ["system:serviceaccounts"] }],
            "spec.approval.approvers[0].groups[0]: \"system:serviceaccounts\" is a group every account"),
        ["every pod of a namespace as approvers"] = (s => s.Approval.Approvers = [new ApproverRule { Groups = ["system:serviceaccounts:prod"] }],
            "spec.approval.approvers[0].groups[0]: \"system:serviceaccounts:prod\""),
        ["anonymous callers as approvers"] = (s => s.Approval.Approvers = [new ApproverRule { Groups = ["system:unauthenticated"] }],
            "spec.approval.approvers[0].groups[0]: \"system:unauthenticated\""),
        ["zero approvals"] = (s => s.Approval.Approvers[0].MinApprovals = 0, "spec.approval.approvers[0].minApprovals: 0 must be at least 1"),
        ["more approvals than users"] = (s => s.Approval.Approvers = [new ApproverRule { Users = ["bob", "carol"], MinApprovals = 3 }], "spec.approval.approvers[0].minApprovals: 3 exceeds the 2 user(s) listed"),
        ["a repeated user counts once"] = (s => s.Approval.Approvers = [new ApproverRule { Users = ["bob", "bob"], MinApprovals = 2 }], "spec.approval.approvers[0].minApprovals: 2 exceeds the 1 user(s) listed"),
        ["duplicate approver names"] = (s => s.Approval.Approvers.Add(new ApproverRule { Name = "sre", Users = ["bob"] }), "spec.approval.approvers[1].name: duplicate approver entry name \"sre\""),
        ["bad requestTTL"] = (s => s.Approval.RequestTtl = "1x", "spec.approval.requestTTL: invalid duration \"1x\""),
        ["zero requestTTL"] = (s => s.Approval.RequestTtl = "0s", "spec.approval.requestTTL: 0s must be greater than 0"),
        ["negative validFor"] = (s => s.Approval.ValidFor = "-5m", "spec.approval.validFor: -5m must be greater than 0"),
        ["empty validFor"] = (s => s.Approval.ValidFor = "", "spec.approval.validFor: duration is empty"),
        ["wait over 25s"] = (s => s.Approval.Wait = "30s", "spec.approval.wait: 30s exceeds the maximum of 25s"),
        ["negative wait"] = (s => s.Approval.Wait = "-1s", "spec.approval.wait: -1s must not be negative"),
        ["bad wait"] = (s => s.Approval.Wait = "soon", "spec.approval.wait: invalid duration \"soon\""),
        ["negative maxUses"] = (s => s.Approval.MaxUses = -1, "spec.approval.maxUses: -1 must not be negative"),
        ["negative extensions"] = (s => { s.Approval.Scope = ApprovalScope.Grant; s.Approval.Extensions = new ExtensionSettings { Max = -1 }; }, "spec.approval.extensions.max: -1 must be between 0 (no extensions) and 100"),
        ["too many extensions"] = (s => { s.Approval.Scope = ApprovalScope.Grant; s.Approval.Extensions = new ExtensionSettings { Max = 101 }; }, "spec.approval.extensions.max: 101 must be between 0"),
        ["unknown extension approval"] = (s => { s.Approval.Scope = ApprovalScope.Grant; s.Approval.Extensions = new ExtensionSettings { Max = 1, Approval = (ExtensionApproval)9 }; }, "spec.approval.extensions.approval: \"9\" is not Required or Automatic"),
        ["extensions of Exact approvals"] = (s => s.Approval.Extensions = new ExtensionSettings { Max = 1 }, "spec.approval.extensions: an Exact approval is for one change and cannot be extended"),
        ["unknown scope"] = (s => s.Approval.Scope = (ApprovalScope)9, "spec.approval.scope"),
        ["unknown enforcement"] = (s => s.Enforcement = (Enforcement)9, "spec.enforcement"),
        ["empty break-glass"] = (s => s.BreakGlass = new BreakGlassSettings(), "spec.breakGlass: list the users or groups who may break glass"),
        ["ftp notification"] = (s => s.Notify.Add(new NotificationTarget { Url = "ftp://hooks.example.com/x" }), "spec.notify[0].url: \"ftp://hooks.example.com/x\" is not an absolute http or https URL"),
        ["relative notification"] = (s => s.Notify.Add(new NotificationTarget { Url = "/hooks/x" }), "spec.notify[0].url"),
        ["empty notification"] = (s => s.Notify.Add(new NotificationTarget { Url = "" }), "spec.notify[0].url"),
    };

    public static TheoryData<string> InvalidNames => [.. Invalid.Keys];

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public void Each_rule_reports_its_field(string name)
    {
        var (change, expected) = Invalid[name];
        var policy = Policy().With(change).Build();

        var errors = PolicyValidator.Validate(policy);

        Assert.True(errors.Any(e => e.StartsWith(expected, StringComparison.Ordinal)), $"expected \"{expected}…\" in [{string.Join(" | ", errors)}]");
    }

    public static TheoryData<string> ValidNames => [.. Valid.Keys];

    private static readonly Dictionary<string, Action<ApprovalPolicySpec>> Valid = new()
    {
        ["the builder's policy"] = _ => { },
        ["core group and wildcards"] = s => s.Match.Resources = [Rule([""], ["pods/exec", "*/scale", "*"], ["*"], [])],
        ["every operation"] = s => s.Match.Resources[0].Operations = ["CREATE", "UPDATE", "DELETE", "CONNECT"],
        ["globs and rbac names"] = s => { s.Match.Namespaces = ["prod-*", "team-??"]; s.Match.Names = ["system:controller:*", "web"]; },
        ["selectors"] = s =>
        {
            s.Match.NamespaceSelector = Labels(("example.com/env", "prod"));
            s.Match.ObjectSelector = new V1LabelSelector { MatchExpressions = [new() { Key = "app", OperatorProperty = "In", Values = ["web", "db"] }, new() { Key = "tier", OperatorProperty = "DoesNotExist" }] };
        },
        ["empty selectors"] = s => { s.Match.NamespaceSelector = new V1LabelSelector(); s.Match.ObjectSelector = new V1LabelSelector(); },
        ["subjects"] = s => s.Match.Subjects = new SubjectMatch { Include = [Group("dev*"), User("*@example.com")], Exclude = [ServiceAccount("ci", "deploy-*")] },
        ["conditions with context"] = s =>
        {
            s.Context.Add(Ref("incident", "ops", "incident-state"));
            s.Conditions.Add(new PolicyCondition { Name = "incident-open", Expression = "context.incident != null && context.incident.data.open == 'true'" });
            s.Conditions.Add(new PolicyCondition { Name = "scale-up", Expression = "object.spec.replicas > oldObject.spec.replicas" });
        },
        ["schedule"] = s => s.Schedule = new PolicySchedule { TimeZone = "Europe/Berlin", Windows = [Window("18:00", "08:00", "Mon", "Tue", "Wed", "Thu", "Fri"), Window("00:00", "24:00", "Sat", "Sun")] },
        ["approval edges"] = s =>
        {
            s.Approval.Approvers = [new ApproverRule { Name = "leads", Users = ["bob", "carol"], MinApprovals = 2 }, new ApproverRule { Name = "sre", Users = ["dave"], Groups = ["sre"], MinApprovals = 3 }];
            s.Approval.Wait = "0s";
            s.Approval.RequestTtl = "1h30m";
            s.Approval.ValidFor = "500ms";
            s.Approval.MaxUses = 0;
            s.Approval.Scope = ApprovalScope.Grant;
        },
        ["maximum wait"] = s => s.Approval.Wait = "25s",
        ["automatic extensions of a Grant, at most"] = s => { s.Approval.Scope = ApprovalScope.Grant; s.Approval.Extensions = new ExtensionSettings { Max = 100, Approval = ExtensionApproval.Automatic }; },
        ["no extensions of an Exact approval"] = s => s.Approval.Extensions = new ExtensionSettings { Max = 0 },
        ["break-glass and notifications"] = s =>
        {
            s.BreakGlass = new BreakGlassSettings { Groups = ["oncall"] };
            s.Notify.Add(new NotificationTarget { Url = "https://hooks.slack.com/services/T/B/X" });
            s.Notify.Add(new NotificationTarget { Url = "http://notifier.jit-system.svc:8080/hook" });
        },
        ["warn enforcement"] = s => s.Enforcement = Enforcement.Warn,
    };

    [Theory]
    [MemberData(nameof(ValidNames))]
    public void Valid_policies_have_no_errors(string name)
    {
        var policy = Policy().With(Valid[name]).Build();

        Assert.Empty(PolicyValidator.Validate(policy));
    }

    [Fact]
    public void All_errors_are_reported_at_once_in_spec_order()
    {
        var policy = Policy().With(s =>
        {
            s.Match.Resources[0].Operations = ["update"];
            s.Conditions.Add(new PolicyCondition { Name = "a", Expression = "nope" });
            s.Approval.Wait = "1m";
            s.Approval.Approvers.Clear();
        }).Build();

        var errors = PolicyValidator.Validate(policy);

        Assert.Equal(
            ["spec.match.resources[0].operations[0]", "spec.conditions[0].expression", "spec.approval.approvers", "spec.approval.wait"],
            errors.Select(e => e[..e.IndexOf(':', StringComparison.Ordinal)]));
    }

    [Fact]
    public void A_compiled_policy_carries_the_same_errors()
    {
        var policy = Policy().With(s => s.Approval.Wait = "30s").Build();

        Assert.Equal(PolicyValidator.Validate(policy), Core.Matching.CompiledPolicy.Compile(policy).Errors);
    }

    private static ContextReference Ref(string name, string ns, string configMap) =>
        new() { Name = name, ConfigMap = new NamespacedName { Namespace = ns, Name = configMap } };
}
