using JitAdmission.Core.Api;
using k8s.Models;

namespace JitAdmission.Core.Tests.TestSupport;

/// <summary>Builds a valid ApprovalPolicy (gating UPDATE of apps deployments, approved by group sre) that tests
/// then narrow or break one field at a time.</summary>
public sealed class MatchPolicyBuilder
{
    private readonly ApprovalPolicy _policy;

    private MatchPolicyBuilder(string name)
    {
        _policy = new ApprovalPolicy
        {
            Metadata = new V1ObjectMeta { Name = name, Uid = "uid-" + name, Generation = 1 },
            Spec = new ApprovalPolicySpec
            {
                Match = new PolicyMatch
                {
                    Resources = [new ResourceRule { ApiGroups = ["apps"], Resources = ["deployments"], Operations = ["UPDATE"] }],
                },
                Approval = new ApprovalSettings { Approvers = [new ApproverRule { Name = "sre", Groups = ["sre"] }] },
            },
        };
    }

    public static MatchPolicyBuilder Policy(string name = "p") => new(name);

    public MatchPolicyBuilder Rules(params ResourceRule[] rules)
    {
        _policy.Spec.Match.Resources = [.. rules];
        return this;
    }

    public static ResourceRule Rule(string[] groups, string[] resources, string[] operations, string[]? versions = null) => new()
    {
        ApiGroups = [.. groups],
        ApiVersions = [.. versions ?? ["*"]],
        Resources = [.. resources],
        Operations = [.. operations],
    };

    public MatchPolicyBuilder Rule(string group, string resource, params string[] operations) =>
        Rules(Rule([group], [resource], operations.Length == 0 ? ["*"] : operations));

    public MatchPolicyBuilder Namespaces(params string[] namespaces)
    {
        _policy.Spec.Match.Namespaces = [.. namespaces];
        return this;
    }

    public MatchPolicyBuilder Names(params string[] names)
    {
        _policy.Spec.Match.Names = [.. names];
        return this;
    }

    public MatchPolicyBuilder NamespaceSelector(V1LabelSelector? selector)
    {
        _policy.Spec.Match.NamespaceSelector = selector;
        return this;
    }

    public MatchPolicyBuilder ObjectSelector(V1LabelSelector? selector)
    {
        _policy.Spec.Match.ObjectSelector = selector;
        return this;
    }

    public MatchPolicyBuilder Include(params SubjectRef[] subjects)
    {
        (_policy.Spec.Match.Subjects ??= new SubjectMatch()).Include = [.. subjects];
        return this;
    }

    public MatchPolicyBuilder Exclude(params SubjectRef[] subjects)
    {
        (_policy.Spec.Match.Subjects ??= new SubjectMatch()).Exclude = [.. subjects];
        return this;
    }

    public MatchPolicyBuilder Condition(string name, string expression)
    {
        _policy.Spec.Conditions.Add(new PolicyCondition { Name = name, Expression = expression });
        return this;
    }

    public MatchPolicyBuilder Context(string name, string @namespace, string configMap)
    {
        _policy.Spec.Context.Add(new ContextReference { Name = name, ConfigMap = new NamespacedName { Namespace = @namespace, Name = configMap } });
        return this;
    }

    public MatchPolicyBuilder Schedule(string timeZone, params ScheduleWindow[] windows)
    {
        _policy.Spec.Schedule = new PolicySchedule { TimeZone = timeZone, Windows = [.. windows] };
        return this;
    }

    public MatchPolicyBuilder Enforcement(Enforcement enforcement)
    {
        _policy.Spec.Enforcement = enforcement;
        return this;
    }

    public MatchPolicyBuilder Generation(long generation, string? uid = null)
    {
        _policy.Metadata.Generation = generation;
        if (uid is not null) _policy.Metadata.Uid = uid;
        return this;
    }

    public MatchPolicyBuilder With(Action<ApprovalPolicySpec> change)
    {
        change(_policy.Spec);
        return this;
    }

    public ApprovalPolicy Build() => _policy;

    public static SubjectRef User(string name) => new() { Kind = SubjectKind.User, Name = name };

    public static SubjectRef Group(string name) => new() { Kind = SubjectKind.Group, Name = name };

    public static SubjectRef ServiceAccount(string @namespace, string name) => new() { Kind = SubjectKind.ServiceAccount, Namespace = @namespace, Name = name };

    public static ScheduleWindow Window(string from, string to, params string[] days) => new() { From = from, To = to, Days = [.. days] };

    public static V1LabelSelector Labels(params (string Key, string Value)[] labels) =>
        new() { MatchLabels = labels.ToDictionary(l => l.Key, l => l.Value) };

    public static V1LabelSelector Expression(string key, string @operator, params string[] values) =>
        new() { MatchExpressions = [new V1LabelSelectorRequirement { Key = key, OperatorProperty = @operator, Values = values.Length == 0 ? null : [.. values] }] };
}
