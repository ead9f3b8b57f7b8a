using JitAdmission.Core.Api;
using JitAdmission.Core.Guard;
using JitAdmission.Core.Approval;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;
using static JitAdmission.Core.Tests.TestSupport.ExtensionFixtures;

namespace JitAdmission.Core.Tests.Guard;

/// <summary>Who may extend which approval (docs/approvals.md "Extending a Grant").</summary>
public class RequestGuardExtensionTests
{
    private static readonly ApprovalPolicy ExactPolicy = Policy("exact", s => s.Approval.Extensions = new ExtensionSettings { Max = 3 }, Group("sre"));

    private static readonly Dictionary<string, ApprovalPolicy> Policies = new()
    {
        ["auto"] = Auto,
        ["reviewed"] = Reviewed,
        ["none"] = NoExtensions,
        ["exact"] = ExactPolicy,
        ["auto2"] = GrantPolicy("auto2", 2, ExtensionApproval.Automatic),
    };

    /// <summary>
    /// In prod: g (auto, approved at 1m, valid until 16m), its automatic extensions g-ext-1 (created 10m) and g-ext-2
    /// (created 20m, extends g-ext-1), r (reviewed, maxUses 1, used once), pending, denied, bobs (bob's), bg (break-glass),
    /// x (Exact), orphan (extends a request that is gone).
    /// </summary>
    private static Dictionary<string, ApprovalRequest> Cluster()
    {
        var used = Approved("r", "reviewed", At(0));
        used.Status = new ApprovalRequestStatus { Uses = 1 };
        var bobs = Approved("bobs", "auto", At(0));
        bobs.Spec.Requester.Username = "bob";
        bobs.Spec.Reviews = [Approve("carol", At(1), "sre")];
        var breakGlass = Grant("bg", "auto", At(0));
        breakGlass.Spec.BreakGlass = true;
        breakGlass.Spec.Reason = "outage";
        var exact = Request(["exact"], created: At(0), reviews: Approve("bob", At(1), "sre"));
        exact.Metadata.Name = "x";
        var all = new[]
        {
            Approved("g", "auto", At(0)), Grant("g-ext-1", "auto", At(10), "g"), Grant("g-ext-2", "auto", At(20), "g-ext-1"),
            used, Grant("pending", "auto", At(0)), Grant("denied", "auto", At(0), null, Deny("bob", At(1), "no", "sre")), bobs,
            breakGlass, exact, Grant("orphan", "auto", At(10), "gone"), Approved("g2", "auto2", At(0)),
        };
        return all.ToDictionary(r => r.Metadata.Name);
    }

    /// <summary>alice asks ahead of time (no creation time, no status) to extend <paramref name="extends"/>.</summary>
    private static ApprovalRequest Extension(string extends, string policy = "auto", Action<ApprovalRequest>? change = null)
    {
        var request = Grant(extends + "-next", policy, At(0), extends);
        request.Metadata.CreationTimestamp = null;
        change?.Invoke(request);
        return request;
    }

    private static IReadOnlyList<string> Validate(ApprovalRequest created, DateTimeOffset now, Dictionary<string, ApprovalRequest>? cluster = null)
    {
        var requests = cluster ?? Cluster();
        return RequestGuard.ValidateCreate(
            created, User("alice", "dev"), Policies.GetValueOrDefault, isOperator: false, now, requests.GetValueOrDefault);
    }

    public static TheoryData<string, ApprovalRequest, int, string> Rejected => new()
    {
        { "a request that does not exist", Extension("nope"), 12, "ApprovalRequest \"nope\" to extend does not exist in namespace \"prod\"" },
        { "someone else's approval", Extension("bobs"), 12, "was requested by \"bob\": only its requester can extend it" },
        { "other policies", Extension("g", "auto2"), 12, "spec.policies must be those of \"g\" (auto)" },
        { "another namespace's Grant", Extension("g", change: r => r.Spec.Action.Namespace = null), 12, "spec.action must be that of \"g\" (GRANT auto in prod)" },
        { "an Object scope over a Grant", Extension("g", change: r =>
            { r.Spec.Scope = ApprovalScope.Object; r.Spec.Action = new RequestedAction { Operation = "*", Namespace = "prod" }; }), 12, "spec.scope must be Grant" },
        { "an Exact approval", Extension("x", "exact", r => { r.Spec.Scope = ApprovalScope.Exact; }), 12, "is an Exact approval, for one change only" },
        { "a break-glass record", Extension("bg"), 5, "\"bg\" is a break-glass record" },
        { "as break-glass", Extension("g", change: r => { r.Spec.BreakGlass = true; r.Spec.Reason = "outage"; }), 12, "break-glass cannot extend a request" },
        { "a pending request", Extension("pending"), 12, "\"pending\" is Pending" },
        { "a denied request", Extension("denied"), 12, "\"denied\" is Denied" },
        { "an approval whose window ended", Extension("g"), 16, "\"g\" is Expired" },
        { "beyond the policy's max", Extension("g-ext-2"), 22, "\"g-ext-2\" has already been extended 2 time(s); the policies allow at most 2" },
        { "a chain with a missing link", Extension("orphan"), 12, "ApprovalRequest \"gone\", which \"orphan\" continues, no longer exists" },
        { "a longer window than the policy's", Extension("g", change: r => r.Spec.ValidFor = "1h"), 12, "spec.validFor 1h is longer than the policies' validFor 15m" },
        { "a window that is no duration", Extension("g", change: r => r.Spec.ValidFor = "soon"), 12, "spec.validFor \"soon\" is not a positive duration" },
        { "a name that is no name", Extension("g", change: r => r.Spec.Extends = "../g"), 12, "spec.extends \"../g\" is not the name of an ApprovalRequest" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Rejects_with_what_to_do(string what, ApprovalRequest created, int minute, string expected)
    {
        var errors = Validate(created, At(minute));
        Assert.True(errors.Any(e => e.Contains(expected, StringComparison.Ordinal)), $"{what}: [{string.Join(" | ", errors)}]");
    }

    public static TheoryData<string, ApprovalRequest, int> Accepted => new()
    {
        { "an approval in its window", Extension("g"), 12 },
        { "an automatic extension, within max", Extension("g-ext-1"), 12 },
        { "a shorter window", Extension("g", change: r => r.Spec.ValidFor = "5m"), 12 },
        { "a spent approval in its window, with a review to come", Extension("r", "reviewed"), 5 },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Accepts(string what, ApprovalRequest created, int minute)
    {
        var errors = Validate(created, At(minute));
        Assert.True(errors.Count == 0, $"{what}: [{string.Join(" | ", errors)}]");
    }

    [Fact]
    public void A_policy_without_extensions_says_so()
    {
        var cluster = Cluster();
        cluster["plain"] = Approved("plain", "none", At(0));

        var errors = Validate(Extension("plain", "none"), At(5), cluster);

        Assert.Equal(["the policies \"none\" do not allow extensions (approval.extensions.max is 0); ask for a new approval with kubectl jit request"], errors);
    }

    [Fact]
    public void A_spent_approval_is_extended_only_with_a_review()
    {
        var cluster = Cluster();
        cluster["spent"] = Approved("spent", "auto", At(0));
        cluster["spent"].Status = new ApprovalRequestStatus { Phase = RequestPhase.Consumed, ValidUntil = TimeText.ToApi(At(16)), ApprovedAt = TimeText.ToApi(At(1)) };

        var errors = Validate(Extension("spent"), At(5), cluster);

        Assert.Contains(errors, e => e.StartsWith("\"spent\" is Consumed", StringComparison.Ordinal));
    }

    [Fact]
    public void Outside_the_cluster_an_extension_cannot_be_checked()
    {
        var errors = RequestGuard.ValidateCreate(Extension("g"), User("alice", "dev"), Policies.GetValueOrDefault, isOperator: false, At(12));

        Assert.Contains("spec.extends cannot be checked here; create the extension in the cluster (kubectl jit extend)", errors);
    }

    [Fact]
    public void Jit_admission_never_creates_extensions()
    {
        var errors = RequestGuard.ValidateCreate(Extension("g"), User("system:serviceaccount:jit:jit-admission"), Policies.GetValueOrDefault, isOperator: true, At(12));

        Assert.Single(errors);
    }

    [Fact]
    public void The_chain_counts_every_link_and_names_a_missing_one()
    {
        var cluster = Cluster();

        Assert.Equal((0, (string?)null), RequestGuard.ChainLength(cluster["g"], cluster.GetValueOrDefault));
        Assert.Equal((2, (string?)null), RequestGuard.ChainLength(cluster["g-ext-2"], cluster.GetValueOrDefault));
        Assert.Equal((1, "gone"), RequestGuard.ChainLength(cluster["orphan"], cluster.GetValueOrDefault));
    }

    [Fact]
    public void Extends_and_validFor_are_immutable()
    {
        var old = Grant("g-ext-1", "auto", At(10), "g");
        var updated = Grant("g-ext-1", "auto", At(10), "g-ext-2");
        updated.Spec.ValidFor = "1m";

        var errors = RequestGuard.ValidateUpdate(old, updated, User("alice", "dev"), Policies.GetValueOrDefault, isOperator: false, At(11));

        Assert.Equal(["spec.extends is immutable; create a new ApprovalRequest instead", "spec.validFor is immutable; create a new ApprovalRequest instead"], errors);
    }
}
