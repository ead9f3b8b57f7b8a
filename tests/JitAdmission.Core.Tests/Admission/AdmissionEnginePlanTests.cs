using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Core.Naming;
using JitAdmission.Core.Tests.TestSupport;
using static JitAdmission.Core.Tests.Admission.EngineWorld;

namespace JitAdmission.Core.Tests.Admission;

/// <summary>Every branch of <see cref="AdmissionEngine.Plan"/>, one row each: arrange the world, then check the plan.</summary>
public class AdmissionEnginePlanTests
{
    private sealed record Row(Action<EngineWorld> Arrange, Action<EngineWorld, AdmissionPlan> Check);

    private static readonly Dictionary<string, Row> Rows = new()
    {
        ["no candidate policy: allowed without reading the object"] = new(
            w => w.Change = DefaultChange().Resource("", "v1", "configmaps").Object("{not json"),
            (_, plan) => AssertAllowedUntouched(plan)),
        ["jit-admission's own requests are never gated"] = new(
            w => w.IsOperator = true,
            (_, plan) => AssertAllowedUntouched(plan)),
        ["jit-admission's own API is never gated, even by a * rule"] = new(
            w =>
            {
                w.Policies[0] = MatchPolicyBuilder.Policy("p").Rule("*", "*").Build();
                w.Change = DefaultChange().Resource(ApiConstants.Group, ApiConstants.Version, ApiConstants.RequestPlural);
            },
            (_, plan) => AssertAllowedUntouched(plan)),
        ["a candidate that does not match: allowed"] = new(
            w => w.Policy(s => s.Match.Namespaces = ["staging"]),
            (_, plan) => AssertAllowedUntouched(plan)),
        ["an Enforce policy that cannot be evaluated denies, naming it"] = new(
            w => w.Policy(s => s.Conditions = [new PolicyCondition { Name = "c", Expression = "object.spec.missing.deep == 1" }]),
            (_, plan) =>
            {
                var verdict = Assert.IsType<DecidedPlan>(plan).Verdict;
                Assert.False(verdict.Allowed);
                Assert.Equal(Outcomes.Error, verdict.Outcome);
                Assert.Contains("policy p could not be evaluated", verdict.Message);
                Assert.Contains("fail closed", verdict.Message);
            }),
        ["an update that changes nothing but what the API server keeps (field ownership, versions) needs no approval"] = new(
            w => w.Change = DefaultChange()
                .Object(Deployment(1).Replace("\"uid\":\"d-1\"", "\"uid\":\"d-1\",\"resourceVersion\":\"9\",\"generation\":4,\"managedFields\":[{\"manager\":\"kubectl\"}]", StringComparison.Ordinal))
                .OldObject(Deployment(1).Replace("\"uid\":\"d-1\"", "\"uid\":\"d-1\",\"resourceVersion\":\"8\",\"generation\":3,\"managedFields\":[{\"manager\":\"before-first-apply\"}]", StringComparison.Ordinal)),
            (_, plan) =>
            {
                var verdict = Assert.IsType<DecidedPlan>(plan).Verdict;
                Assert.True(verdict.Allowed);
                Assert.Equal("nochange", verdict.AuditAnnotations[AuditKeys.Outcome]);
                Assert.Equal(["p"], verdict.Policies);
            }),
        ["an update that changes only an annotation is a change like any other"] = new(
            w => w.Change = DefaultChange().Object(Deployment(1, "\"team\":\"b\"")).OldObject(Deployment(1, "\"team\":\"a\"")),
            (_, plan) => Assert.IsType<CreatePlan>(plan)),
        ["an update that changes only the status is a change like any other"] = new(
            w => w.Change = DefaultChange().Object(Deployment(1)[..^1] + ",\"status\":{\"replicas\":1}}").OldObject(Deployment(1)),
            (_, plan) => Assert.IsType<CreatePlan>(plan)),
        ["a Warn policy allows with a warning and an audit record"] = new(
            w => w.Policy(s => s.Enforcement = Enforcement.Warn),
            (_, plan) =>
            {
                var verdict = Assert.IsType<DecidedPlan>(plan).Verdict;
                Assert.True(verdict.Allowed);
                Assert.Equal(Outcomes.Warn, verdict.Outcome);
                Assert.Contains(verdict.Warnings, x => x.Contains("policy p in Warn mode", StringComparison.Ordinal));
                Assert.Equal("p", verdict.AuditAnnotations[AuditKeys.Policies]);
                Assert.Equal(Outcomes.Warn, verdict.AuditAnnotations[AuditKeys.Outcome]);
            }),
        ["an Audit policy allows silently, recorded"] = new(
            w => w.Policy(s => s.Enforcement = Enforcement.Audit),
            (_, plan) =>
            {
                var verdict = Assert.IsType<DecidedPlan>(plan).Verdict;
                Assert.True(verdict.Allowed);
                Assert.Empty(verdict.Warnings);
                Assert.Equal(Outcomes.Audit, verdict.AuditAnnotations[AuditKeys.Outcome]);
            }),
        ["a Warn policy that cannot be evaluated only warns"] = new(
            w => w.Policy(s =>
            {
                s.Enforcement = Enforcement.Warn;
                s.Conditions = [new PolicyCondition { Name = "c", Expression = "object.spec.missing.deep == 1" }];
            }),
            (_, plan) =>
            {
                var verdict = Assert.IsType<DecidedPlan>(plan).Verdict;
                Assert.True(verdict.Allowed);
                Assert.Contains(verdict.Warnings, x => x.Contains("could not be evaluated", StringComparison.Ordinal));
            }),
        ["gated without approvals: create the request, then hold for the policy's wait"] = new(
            _ => { },
            (w, plan) =>
            {
                var create = Assert.IsType<CreatePlan>(plan);
                Assert.Equal(RequestNaming.Name(w.Attributes, w.Fingerprint), create.Request.Metadata.Name);
                Assert.Equal("prod", create.Request.Metadata.NamespaceProperty);
                Assert.Equal(TimeSpan.FromSeconds(10), create.Wait);
                Assert.Null(create.PreviouslyUsed);
            }),
        ["a Pending request for the change: hold on it again"] = new(
            w => w.ExistingFor(),
            (w, plan) =>
            {
                var hold = Assert.IsType<HoldPlan>(plan);
                Assert.Same(w.Requests[0], hold.Request);
                Assert.Equal(RequestPhase.Pending, hold.Evaluation.Phase);
            }),
        ["an approved request for the exact change: consume it"] = new(
            w => w.ExistingFor(reviews: ApprovedByBob()),
            (w, plan) =>
            {
                var consume = Assert.IsType<ConsumePlan>(plan);
                Assert.Same(w.Requests[0], consume.Approval);
                Assert.True(consume.Evaluation.IsUsable);
            }),
        ["an approval already used: a new request with the next name, remembering the used one"] = new(
            w => w.ExistingFor(recorded: RequestPhase.Consumed, reviews: ApprovedByBob()),
            (w, plan) =>
            {
                var create = Assert.IsType<CreatePlan>(plan);
                Assert.Equal(RequestNaming.Name(w.Attributes, w.Fingerprint, 2), create.Request.Metadata.Name);
                Assert.Same(w.Requests[0], create.PreviouslyUsed?.Request);
            }),
        ["the deployment controller updating a gated Deployment is not gated"] = new(
            w => w.Change = EngineWorld.DefaultChange().By("system:serviceaccount:kube-system:deployment-controller", "system:serviceaccounts"),
            (_, plan) => Assert.True(Assert.IsType<DecidedPlan>(plan).Verdict.Allowed)),
        ["a kubelet (group system:nodes) is not gated"] = new(
            w => w.Change = EngineWorld.DefaultChange().By("system:node:worker-1", "system:nodes"),
            (_, plan) => Assert.True(Assert.IsType<DecidedPlan>(plan).Verdict.Allowed)),
        ["a service account of another namespace is gated like anyone"] = new(
            w => w.Change = EngineWorld.DefaultChange().By("system:serviceaccount:kube-systemx:deployer", "system:serviceaccounts"),
            (_, plan) => Assert.IsType<CreatePlan>(plan)),
        ["a cluster admin (system:masters) is gated like anyone"] = new(
            w => w.Change = EngineWorld.DefaultChange().By("admin", "system:masters"),
            (_, plan) => Assert.IsType<CreatePlan>(plan)),
        ["a kube-system ServiceAccount that is not a named controller is gated (every kube-system account used to be exempt)"] = new(
            w => w.Change = EngineWorld.DefaultChange().By("system:serviceaccount:kube-system:default", "system:serviceaccounts", "system:serviceaccounts:kube-system"),
            (_, plan) => Assert.IsType<CreatePlan>(plan)),
        ["the garbage collector is trusted: the change that handed it the object was gated"] = new(
            w => w.Change = EngineWorld.DefaultChange().By("system:serviceaccount:kube-system:generic-garbage-collector", "system:serviceaccounts"),
            (_, plan) => Assert.True(Assert.IsType<DecidedPlan>(plan).Verdict.Allowed)),
        ["the trusted subjects are configurable: with none, even the deployment controller is held"] = new(
            w =>
            {
                w.Settings = w.Settings with { Trusted = TrustedSubjects.None };
                w.Change = EngineWorld.DefaultChange().By("system:serviceaccount:kube-system:deployment-controller", "system:serviceaccounts");
            },
            (_, plan) => Assert.IsType<CreatePlan>(plan)),
        ["a policy gating DELETE gates an UPDATE adding an owner reference (the garbage collector would delete the object)"] = new(
            w =>
            {
                w.Policies[0] = MatchPolicyBuilder.Policy("p").Rule("apps", "deployments", "DELETE").Build();
                w.Change = DefaultChange().Object(Deployment(1).Replace("\"uid\":\"d-1\"",
                    "\"uid\":\"d-1\",\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"gone\",\"uid\":\"missing\"}]",
                    StringComparison.Ordinal));
            },
            (_, plan) => Assert.Equal("UPDATE", Assert.IsType<CreatePlan>(plan).Request.Spec.Action.Operation)),
        ["a policy gating DELETE gates an UPDATE removing a finalizer"] = new(
            w =>
            {
                w.Policies[0] = MatchPolicyBuilder.Policy("p").Rule("apps", "deployments", "DELETE").Build();
                w.Change = DefaultChange().Object(Deployment(1))
                    .OldObject(Deployment(1).Replace("\"uid\":\"d-1\"", "\"uid\":\"d-1\",\"finalizers\":[\"example.com/keep\"]", StringComparison.Ordinal));
            },
            (_, plan) => Assert.IsType<CreatePlan>(plan)),
        ["a policy gating DELETE lets an UPDATE that leaves owners and finalizers alone through"] = new(
            w => w.Policies[0] = MatchPolicyBuilder.Policy("p").Rule("apps", "deployments", "DELETE").Build(),
            (_, plan) => AssertAllowedUntouched(plan)),
        ["a name squatted by a request made ahead of time is skipped: the change gets the next name"] = new(
            w =>
            {
                var squatter = w.AheadOfTime(ApprovalScope.Exact, requester: "mallory");
                squatter.Metadata.Name = RequestNaming.Name(w.Attributes, w.Fingerprint);
                w.Policies[0].Spec.Approval.Scope = ApprovalScope.Exact;
            },
            (w, plan) => Assert.Equal(RequestNaming.Name(w.Attributes, w.Fingerprint, 2), Assert.IsType<CreatePlan>(plan).Request.Metadata.Name)),
        ["a Grant without a namespace made in prod covers prod"] = new(
            w => w.AheadOfTime(ApprovalScope.Grant, actionNamespace: null, reviews: ApprovedByBob()).Metadata.NamespaceProperty = "prod",
            (_, plan) => Assert.IsType<ConsumePlan>(plan)),
        ["a Grant without a namespace made in another namespace covers only that one (approver RBAC there is no boundary otherwise)"] = new(
            w => w.AheadOfTime(ApprovalScope.Grant, actionNamespace: null, reviews: ApprovedByBob()).Metadata.NamespaceProperty = "team-b",
            (_, plan) => Assert.IsType<CreatePlan>(plan)),
        ["a Grant without a namespace made in the operator's namespace covers every namespace"] = new(
            w => w.AheadOfTime(ApprovalScope.Grant, actionNamespace: null, reviews: ApprovedByBob()).Metadata.NamespaceProperty = OperatorNamespace,
            (_, plan) => Assert.IsType<ConsumePlan>(plan)),
        ["a requester at the cap of Pending requests gets no new one: denied, saying which"] = new(
            w =>
            {
                w.Settings = w.Settings with { MaxPendingPerRequester = 2 };
                w.AheadOfTime(ApprovalScope.Object, name: "a");
                w.AheadOfTime(ApprovalScope.Object, name: "b");
                w.Policies[0].Spec.Approval.Scope = ApprovalScope.Exact;
            },
            (w, plan) =>
            {
                var verdict = Assert.IsType<DecidedPlan>(plan).Verdict;
                Assert.False(verdict.Allowed);
                Assert.Equal(DenialKind.TooManyPending, verdict.Denial?.Kind);
                Assert.Contains("already has 2 pending approval requests (at most 2 per requester)", verdict.Message);
                Assert.Contains(w.Requests[0].Metadata.Name, verdict.Message);
            }),
        ["finished requests do not count toward the cap"] = new(
            w =>
            {
                w.Settings = w.Settings with { MaxPendingPerRequester = 1 };
                w.AheadOfTime(ApprovalScope.Object, name: "a").Status = new ApprovalRequestStatus { Phase = RequestPhase.Expired };
                w.Policies[0].Spec.Approval.Scope = ApprovalScope.Exact;
            },
            (_, plan) => Assert.IsType<CreatePlan>(plan)),
        ["break-glass is never refused for the cap"] = new(
            w =>
            {
                w.Settings = w.Settings with { MaxPendingPerRequester = 1 };
                w.AheadOfTime(ApprovalScope.Object, name: "a");
                w.Policies[0].Spec.Approval.Scope = ApprovalScope.Exact;
                w.Policy(s => s.BreakGlass = new BreakGlassSettings { Users = ["alice"] });
                w.Change = DefaultChange().Object(Deployment(3, "\"jitadmission.io/break-glass\":\"INC-7\""));
            },
            (_, plan) => Assert.IsType<BreakGlassPlan>(plan)),
        ["without client authentication a break-glass annotation records nothing: gated as usual, told to ask through the API"] = new(
            w =>
            {
                w.Settings = w.Settings with { CallerAuthenticated = false };
                w.Policy(s => s.BreakGlass = new BreakGlassSettings { Groups = ["oncall"] });
                w.Change = DefaultChange().By("alice", "oncall").Object(Deployment(3, "\"jitadmission.io/break-glass\":\"INC-7\""));
            },
            (_, plan) =>
            {
                var create = Assert.IsType<CreatePlan>(plan);
                Assert.False(create.Request.Spec.BreakGlass);
                Assert.Contains(create.Warnings, x => x.Contains("kubectl jit request --break-glass", StringComparison.Ordinal));
            }),
        ["without client authentication a break-glass record made through the API lets the change through"] = new(
            w =>
            {
                w.Settings = w.Settings with { CallerAuthenticated = false };
                w.AheadOfTime(ApprovalScope.Object, name: "web").Spec.BreakGlass = true;
                w.Policy(s => s.BreakGlass = new BreakGlassSettings { Users = ["alice"] });
            },
            (w, plan) => Assert.Same(w.Requests[0], Assert.IsType<ConsumePlan>(plan).Approval)),
        ["the identical exec again seconds after its single-use approval was used: kubectl's protocol fallback passes"] = new(
            w => UsedMomentsAgo(w, TimeSpan.FromSeconds(3)),
            (w, plan) =>
            {
                var verdict = Assert.IsType<DecidedPlan>(plan).Verdict;
                Assert.True(verdict.Allowed);
                Assert.Equal(Outcomes.Retry, verdict.Outcome);
                Assert.Equal(w.Requests[0].Metadata.Name, verdict.AuditAnnotations[AuditKeys.Request].Split('/')[^1]);
                Assert.Equal("bob", verdict.AuditAnnotations[AuditKeys.Approvers]);
            }),
        ["the identical exec again after the retry grace: a new request"] = new(
            w => UsedMomentsAgo(w, AdmissionEngine.RetryGrace + TimeSpan.FromSeconds(1)),
            (w, plan) => Assert.Equal(RequestNaming.Name(w.Attributes, w.Fingerprint, 2), Assert.IsType<CreatePlan>(plan).Request.Metadata.Name)),
        ["the identical update again seconds after its single-use approval was used: spent, a new request (no retry grace for writes)"] = new(
            w => UsedMomentsAgo(w, TimeSpan.FromSeconds(3), connect: false),
            (w, plan) => Assert.Equal(RequestNaming.Name(w.Attributes, w.Fingerprint, 2), Assert.IsType<CreatePlan>(plan).Request.Metadata.Name)),
        ["a use by someone else moments ago is no retry of this requester's"] = new(
            w => UsedMomentsAgo(w, TimeSpan.FromSeconds(3), by: "mallory"),
            (_, plan) => Assert.IsType<CreatePlan>(plan)),
        ["a use by another operation moments ago is no retry of this one"] = new(
            w => UsedMomentsAgo(w, TimeSpan.FromSeconds(3), operation: "UPDATE"),
            (_, plan) => Assert.IsType<CreatePlan>(plan)),
        ["a denied request within its TTL answers the retry with its denial"] = new(
            w => w.ExistingFor(reviews: DeniedByBob()),
            (_, plan) =>
            {
                var verdict = Assert.IsType<DecidedPlan>(plan).Verdict;
                Assert.False(verdict.Allowed);
                Assert.Equal(Outcomes.Deny, verdict.Outcome);
                Assert.Contains("was denied by bob: \"not now\"", verdict.Message);
            }),
        ["a denied request past its TTL leaves the change to a new request"] = new(
            w =>
            {
                w.ExistingFor(reviews: DeniedByBob());
                w.Now = Created.AddHours(2);
            },
            (w, plan) => Assert.Equal(RequestNaming.Name(w.Attributes, w.Fingerprint, 2), Assert.IsType<CreatePlan>(plan).Request.Metadata.Name)),
        ["an expired request leaves the change to a new request"] = new(
            w =>
            {
                w.ExistingFor();
                w.Now = Created.AddHours(2);
            },
            (w, plan) => Assert.Equal(RequestNaming.Name(w.Attributes, w.Fingerprint, 2), Assert.IsType<CreatePlan>(plan).Request.Metadata.Name)),
        ["a Pending request that does not name a policy added since is not held on"] = new(
            w =>
            {
                w.ExistingFor();
                w.Policies.Add(MatchPolicyBuilder.Policy("q").Build());
            },
            (w, plan) =>
            {
                var create = Assert.IsType<CreatePlan>(plan);
                Assert.Equal(RequestNaming.Name(w.Attributes, w.Fingerprint, 2), create.Request.Metadata.Name);
                Assert.Equal(["p", "q"], create.Request.Spec.Policies);
            }),
        ["an approval for the object covers another change to it"] = new(
            w => w.AheadOfTime(ApprovalScope.Object, name: "web", reviews: ApprovedByBob()),
            (w, plan) => Assert.Same(w.Requests[0], Assert.IsType<ConsumePlan>(plan).Approval)),
        ["an approval for the object does not cover another object"] = new(
            w => w.AheadOfTime(ApprovalScope.Object, name: "api", reviews: ApprovedByBob()),
            (_, plan) => Assert.IsType<CreatePlan>(plan)),
        ["a grant covers the requester's gated actions in its namespace"] = new(
            w => w.AheadOfTime(ApprovalScope.Grant, reviews: ApprovedByBob()),
            (w, plan) => Assert.Same(w.Requests[0], Assert.IsType<ConsumePlan>(plan).Approval)),
        ["a grant for another namespace does not cover"] = new(
            w => w.AheadOfTime(ApprovalScope.Grant, actionNamespace: "staging", reviews: ApprovedByBob()),
            (_, plan) => Assert.IsType<CreatePlan>(plan)),
        ["a grant to someone else does not cover"] = new(
            w => w.AheadOfTime(ApprovalScope.Grant, requester: "carol", reviews: ApprovedByBob()),
            (_, plan) => Assert.IsType<CreatePlan>(plan)),
        ["a grant not yet approved does not cover"] = new(
            w => w.AheadOfTime(ApprovalScope.Grant),
            (_, plan) => Assert.IsType<CreatePlan>(plan)),
        ["a grant past its window does not cover"] = new(
            w =>
            {
                w.AheadOfTime(ApprovalScope.Grant, reviews: ApprovedByBob());
                w.Now = Created.AddMinutes(30);
            },
            (_, plan) => Assert.IsType<CreatePlan>(plan)),
        ["the exact approval is spent before a grant that also covers"] = new(
            w =>
            {
                w.AheadOfTime(ApprovalScope.Grant, reviews: ApprovedByBob());
                w.ExistingFor(reviews: ApprovedByBob());
            },
            (w, plan) => Assert.Same(w.Requests[1], Assert.IsType<ConsumePlan>(plan).Approval)),
        ["dry run of a gated change: allowed with a warning, nothing created"] = new(
            w => w.Change = DefaultChange().DryRun(),
            (_, plan) =>
            {
                var verdict = Assert.IsType<DecidedPlan>(plan).Verdict;
                Assert.True(verdict.Allowed);
                Assert.Contains(verdict.Warnings, x => x.Contains("would need approval", StringComparison.Ordinal) && x.Contains("no approval request was created", StringComparison.Ordinal));
            }),
        ["dry run with a covering approval says it would be used, and uses nothing"] = new(
            w =>
            {
                w.Change = DefaultChange().DryRun();
                w.ExistingFor(reviews: ApprovedByBob());
            },
            (w, plan) =>
            {
                var verdict = Assert.IsType<DecidedPlan>(plan).Verdict;
                Assert.True(verdict.Allowed);
                Assert.Contains(verdict.Warnings, x => x.Contains("would use the approval", StringComparison.Ordinal) && x.Contains(w.Requests[0].Metadata.Name, StringComparison.Ordinal));
            }),
        ["break-glass by a break-glass subject: allowed at once, recorded"] = new(
            w =>
            {
                w.Policy(s => s.BreakGlass = new BreakGlassSettings { Groups = ["oncall"] });
                w.Change = DefaultChange().By("alice", "oncall").Object(Deployment(3, "\"jitadmission.io/break-glass\":\"INC-7 checkout down\""));
            },
            (w, plan) =>
            {
                var breakGlass = Assert.IsType<BreakGlassPlan>(plan);
                Assert.False(breakGlass.Exists);
                Assert.StartsWith("breakglass-deployments-web-", breakGlass.Record.Metadata.Name, StringComparison.Ordinal);
                Assert.True(breakGlass.Record.Spec.BreakGlass);
                Assert.Equal("INC-7 checkout down", breakGlass.Record.Spec.Reason);
                Assert.Equal(w.Fingerprint, breakGlass.Record.Spec.Fingerprint);
            }),
        ["break-glass retried: the existing record is found"] = new(
            w =>
            {
                w.Policy(s => s.BreakGlass = new BreakGlassSettings { Groups = ["oncall"] });
                w.Change = DefaultChange().By("alice", "oncall").Object(Deployment(3, "\"jitadmission.io/break-glass\":\"INC-7\""));
                var record = w.ExistingFor();
                record.Metadata.Name = RequestNaming.Name("breakglass-deployments", "web", w.Fingerprint);
                record.Spec.BreakGlass = true;
            },
            (w, plan) =>
            {
                var breakGlass = Assert.IsType<BreakGlassPlan>(plan);
                Assert.True(breakGlass.Exists);
                Assert.Same(w.Requests[0], breakGlass.Record);
            }),
        ["break-glass without a reason is refused"] = new(
            w =>
            {
                w.Policy(s => s.BreakGlass = new BreakGlassSettings { Users = ["alice"] });
                w.Change = DefaultChange().Object(Deployment(3, "\"jitadmission.io/break-glass\":\"  \""));
            },
            (_, plan) =>
            {
                var verdict = Assert.IsType<DecidedPlan>(plan).Verdict;
                Assert.False(verdict.Allowed);
                Assert.Contains("needs a reason", verdict.Message);
            }),
        ["break-glass by anyone else is ignored: normal gating, with a warning"] = new(
            w =>
            {
                w.Policy(s => s.BreakGlass = new BreakGlassSettings { Groups = ["oncall"] });
                w.Change = DefaultChange().Object(Deployment(3, "\"jitadmission.io/break-glass\":\"INC-7\""));
            },
            (_, plan) =>
            {
                var create = Assert.IsType<CreatePlan>(plan);
                Assert.False(create.Request.Spec.BreakGlass);
                Assert.Contains(create.Warnings, x => x.Contains("annotation is ignored", StringComparison.Ordinal));
            }),
        ["break-glass in a dry run records nothing"] = new(
            w =>
            {
                w.Policy(s => s.BreakGlass = new BreakGlassSettings { Users = ["alice"] });
                w.Change = DefaultChange().DryRun().Object(Deployment(3, "\"jitadmission.io/break-glass\":\"INC-7\""));
            },
            (_, plan) =>
            {
                var verdict = Assert.IsType<DecidedPlan>(plan).Verdict;
                Assert.True(verdict.Allowed);
                Assert.Contains(verdict.Warnings, x => x.Contains("nothing was recorded", StringComparison.Ordinal));
            }),
        ["an invalid Enforce policy (no approvers) fails closed"] = new(
            w => w.Policy(s => s.Approval.Approvers = []),
            (_, plan) =>
            {
                var verdict = Assert.IsType<DecidedPlan>(plan).Verdict;
                Assert.False(verdict.Allowed);
                Assert.Contains("the policy is invalid", verdict.Message);
            }),
        ["several policies: one request naming all, the shortest wait"] = new(
            w =>
            {
                w.Policy(s => s.Approval.Wait = "20s");
                w.Policies.Add(MatchPolicyBuilder.Policy("q").With(s => s.Approval.Wait = "3s").Build());
            },
            (_, plan) =>
            {
                var create = Assert.IsType<CreatePlan>(plan);
                Assert.Equal(["p", "q"], create.Request.Spec.Policies);
                Assert.Equal(TimeSpan.FromSeconds(3), create.Wait);
            }),
        ["more policies than one request can name: fail closed"] = new(
            w =>
            {
                for (var i = 0; i < ApiLimits.MaxPoliciesPerRequest; i++) w.Policies.Add(MatchPolicyBuilder.Policy($"q{i:00}").Build());
            },
            (_, plan) =>
            {
                var verdict = Assert.IsType<DecidedPlan>(plan).Verdict;
                Assert.False(verdict.Allowed);
                Assert.Equal(500, verdict.Code);
                Assert.Contains("could not decide", verdict.Message);
            }),
        ["an object that is not JSON: fail closed"] = new(
            w => w.Change = DefaultChange().Object("{\"metadata\":"),
            (_, plan) =>
            {
                var verdict = Assert.IsType<DecidedPlan>(plan).Verdict;
                Assert.False(verdict.Allowed);
                Assert.Equal(Outcomes.Error, verdict.Outcome);
                Assert.Contains("cannot read the object", verdict.Message);
            }),
    };

    public static TheoryData<string> Names() => [.. Rows.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Plans(string row)
    {
        var world = new EngineWorld();
        Rows[row].Arrange(world);
        Rows[row].Check(world, world.Plan());
    }

    private static void AssertAllowedUntouched(AdmissionPlan plan)
    {
        var verdict = Assert.IsType<DecidedPlan>(plan).Verdict;
        Assert.True(verdict.Allowed);
        Assert.Same(AdmissionVerdict.Allow, verdict);
    }

    /// <summary>The change's single-use approval, used by <paramref name="by"/> for <paramref name="operation"/> <paramref name="ago"/> before now.</summary>
    /// <summary>alice's exec into prod/web-0 (or her default update) was approved by bob and used <paramref name="ago"/>.</summary>
    private static void UsedMomentsAgo(EngineWorld w, TimeSpan ago, string by = "alice", string? operation = null, bool connect = true)
    {
        if (connect)
        {
            w.Policies[0] = MatchPolicyBuilder.Policy("p").Rule("", "pods/exec", "CONNECT").Build();
            w.Change = DefaultChange().Operation("CONNECT").Resource("", "v1", "pods", "exec").Kind("", "v1", "PodExecOptions").Named("web-0")
                .Object("{\"kind\":\"PodExecOptions\",\"apiVersion\":\"v1\",\"stdin\":true,\"tty\":true,\"container\":\"app\",\"command\":[\"sh\"]}");
        }

        operation ??= connect ? "CONNECT exec" : "UPDATE";
        var used = w.ExistingFor(recorded: RequestPhase.Consumed, reviews: ApprovedByBob());
        used.Status!.Usage.Add(new UsageRecord { Time = (w.Now - ago).UtcDateTime, AdmissionUid = "first-attempt", Operation = operation, By = by });
    }
}
