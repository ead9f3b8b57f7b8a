using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Core.Guard;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;

namespace JitAdmission.Core.Tests.Guard;

/// <summary>
/// Random JSON patches to an ApprovalRequest, sent as an update by the requester, by someone with no standing, and by an
/// eligible approver: whatever the guard lets through changes nothing that decides or keeps the record, except one
/// review appended by its own, eligible author. A fixed number of cases from a fixed seed (a failure names its seed);
/// <c>JIT_FUZZ_CASES</c> and <c>JIT_FUZZ_SEED</c> run more (<c>make fuzz</c> does).
/// </summary>
public sealed class RequestGuardFuzzTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly ApprovalPolicy Prod = TwoGroups();

    private static ApprovalPolicy? Lookup(string name) => name == Prod.Metadata.Name ? Prod : null;

    private static readonly UserInfo Alice = User("alice", "dev");      // the requester
    private static readonly UserInfo Mallory = User("mallory", "dev");  // no standing at all
    private static readonly UserInfo Bob = User("bob", "sre");          // an eligible approver who has not reviewed

    private static readonly DateTimeOffset Now = At(2);

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : fallback;

    [Fact]
    public void Nothing_a_random_patch_forges_gets_past_the_guard()
    {
        var cases = Setting("JIT_FUZZ_CASES", 20_000);
        var seed = Setting("JIT_FUZZ_SEED", 20261207);
        int allowed = 0, refused = 0, unreadable = 0;
        for (var i = 0; i < cases; i++)
        {
            var random = new Random(seed + i);
            var old = Old(random);
            var user = (random.Next(3) switch { 0 => Alice, 1 => Mallory, _ => Bob });
            var patched = Patch(random, old);
            ApprovalRequest updated;
            try
            {
                updated = k8s.KubernetesJson.Deserialize<ApprovalRequest>(patched.ToJsonString());
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException)
            {
                unreadable++; // the API server's schema refuses it before any webhook sees it
                continue;
            }

            if (updated is null || RequestShape.Missing(updated) is not null)
            {
                unreadable++; // the guard answers 422 naming the null part (GuardHandler); the API server drops such nulls anyway
                continue;
            }

            // What the API server owns stays as it was, whatever the patch said.
            (updated.Metadata.Name, updated.Metadata.NamespaceProperty, updated.Metadata.CreationTimestamp, updated.Metadata.Uid, updated.Metadata.DeletionTimestamp) =
                (old.Metadata.Name, old.Metadata.NamespaceProperty, old.Metadata.CreationTimestamp, old.Metadata.Uid, old.Metadata.DeletionTimestamp);
            var errors = RequestGuard.ValidateUpdate(old, updated, user, Lookup, isOperator: false, Now);
            if (errors.Count > 0)
            {
                Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e)));
                refused++;
                continue;
            }

            allowed++;
            AssertNothingForged(old, updated, user, $"seed {seed + i}, {user.Username}: {patched.ToJsonString()}");
        }

        output.WriteLine($"{cases} patches from seed {seed}: allowed {allowed}, refused {refused}, unreadable {unreadable}");
        // Both sides were reached: patches the guard lets through (labels, one's own review) and ones it refuses.
        Assert.True(allowed > cases / 50, $"allowed {allowed}, refused {refused}, unreadable {unreadable}");
        Assert.True(refused > cases / 10, $"allowed {allowed}, refused {refused}, unreadable {unreadable}");
    }

    private static void AssertNothingForged(ApprovalRequest old, ApprovalRequest updated, UserInfo user, string what)
    {
        // The record stays where it is: no owner to be collected with, no finalizer, jit-admission's labels as they were.
        Assert.True(Owners(old) == Owners(updated), "ownerReferences changed: " + what);
        Assert.True(Text(old.Metadata.Finalizers) == Text(updated.Metadata.Finalizers), "finalizers changed: " + what);
        Assert.True(OwnLabels(old) == OwnLabels(updated), "jit-admission's labels changed: " + what);

        // The spec is the same except for reviews appended at the end, each by the caller, eligible, with their own groups.
        var before = old.Spec.Reviews;
        var after = updated.Spec.Reviews;
        Assert.True(after.Count >= before.Count, "a review was removed: " + what);
        for (var i = 0; i < before.Count; i++) Assert.True(Json(before[i]) == Json(after[i]), "a review was changed: " + what);
        var added = after.Skip(before.Count).ToList();
        Assert.True(added.Count <= 1, "more than one review added: " + what);
        foreach (var review in added)
        {
            Assert.True(review.Reviewer == user.Username, "a review in someone else's name: " + what);
            Assert.True(user == Bob, "a review by someone who may not approve: " + what);
            Assert.True((review.Groups ?? []).All(g => user.Groups.Contains(g)), "a review with groups the caller lacks: " + what);
            Assert.True(TimeText.FromApi(review.Time) is not { } t || (t - Now).Duration() <= RequestGuard.StampTolerance, "a back-dated review: " + what);
        }

        var sameSpec = Clone(updated);
        sameSpec.Spec.Reviews = [.. before];
        Assert.True(Json(old.Spec) == Json(sameSpec.Spec), "the spec changed: " + what);

        // So the decision moves only by that one review.
        var was = ApprovalEvaluator.Evaluate(old, [Prod], Now);
        var now = ApprovalEvaluator.Evaluate(updated, [Prod], Now);
        if (added.Count == 0) Assert.True(was.Phase == now.Phase, $"the phase moved from {was.Phase} to {now.Phase}: " + what);
    }

    /// <summary>A Pending request for two approvals (sre and security), with or without carol's (security) review.</summary>
    private static ApprovalRequest Old(Random random)
    {
        var request = random.Next(2) == 0 ? Request(["prod"]) : Request(["prod"], reviews: [Approve("carol", At(1), "security")]);
        request.Metadata.Labels = new Dictionary<string, string>
        {
            [ApiConstants.RequesterLabel] = "alice",
            [ApiConstants.PolicyLabelPrefix + "prod"] = "true",
        };
        return request;
    }

    private static readonly string[] Keys =
    [
        "reviews", "reviewer", "decision", "groups", "time", "comment", "breakGlass", "scope", "maxUses", "fingerprint", "policies",
        "requester", "username", "action", "namespace", "name", "reason", "change", "object", "duration", "expiresAt",
        "ownerReferences", "finalizers", "labels", "annotations", ApiConstants.RequesterLabel, ApiConstants.PolicyLabelPrefix + "prod",
        "team.example.com/ticket",
    ];

    private static readonly string[] Texts = ["alice", "bob", "carol", "mallory", "sre", "security", "Approve", "Deny", "Grant", "Exact", "prod", "", "x"];

    /// <summary>One to three edits anywhere in the object: replace, remove, add, append a copy of an array item, or a review.</summary>
    private static JsonNode Patch(Random random, ApprovalRequest old)
    {
        var root = JsonNode.Parse(k8s.KubernetesJson.Serialize(old))!;
        for (var n = 1 + random.Next(3); n > 0; n--)
        {
            var nodes = new List<JsonNode>();
            Collect(root, nodes);
            var target = nodes[random.Next(nodes.Count)];
            switch (random.Next(7))
            {
                case 0 when target.Parent is JsonObject parent:
                    parent.Remove(target.GetPropertyName());
                    break;
                case 1 when target.Parent is JsonObject parent:
                    parent[target.GetPropertyName()] = Value(random);
                    break;
                case 2 when target is JsonObject obj:
                    obj[Keys[random.Next(Keys.Length)]] = Value(random);
                    break;
                case 3 when target is JsonArray array && array.Count > 0:
                    var copy = array[random.Next(array.Count)]!.DeepClone();
                    if (copy is JsonObject item && item.Count > 0) item[item.ElementAt(random.Next(item.Count)).Key] = Value(random);
                    array.Add(copy);
                    break;
                case 4 when target is JsonArray array && array.Count > 0:
                    array.RemoveAt(random.Next(array.Count));
                    break;
                default:
                    // The likeliest forgery: a review appended, in anyone's name, with any groups and time.
                    if (root["spec"] is not JsonObject spec) break;
                    if (spec["reviews"] is not JsonArray reviews) spec["reviews"] = reviews = [];
                    reviews.Add(new JsonObject
                    {
                        ["reviewer"] = Texts[random.Next(4)],
                        ["decision"] = random.Next(4) == 0 ? "Deny" : "Approve",
                        ["groups"] = new JsonArray([.. Enumerable.Range(0, random.Next(3)).Select(_ => (JsonNode?)Texts[4 + random.Next(2)])]),
                        ["time"] = TimeText.ToApi(Now.AddMinutes(random.Next(3) == 0 ? -random.Next(1, 600) : 0)),
                    });
                    break;
            }
        }

        return root;
    }

    private static void Collect(JsonNode node, List<JsonNode> into)
    {
        into.Add(node);
        if (node is JsonObject obj) foreach (var (_, v) in obj) { if (v is not null) Collect(v, into); }
        else if (node is JsonArray array) foreach (var v in array) { if (v is not null) Collect(v, into); }
    }

    private static JsonNode? Value(Random random) => random.Next(8) switch
    {
        0 => null,
        1 => random.Next(-2, 5),
        2 => random.Next(2) == 0,
        3 => new JsonArray([.. Enumerable.Range(0, random.Next(3)).Select(_ => (JsonNode?)Texts[random.Next(Texts.Length)])]),
        4 => new JsonObject { [Keys[random.Next(Keys.Length)]] = Texts[random.Next(Texts.Length)] },
        5 => TimeText.ToApi(Now.AddMinutes(random.Next(-600, 600))),
        _ => Texts[random.Next(Texts.Length)],
    };

    private static string OwnLabels(ApprovalRequest r) =>
        Text((r.Metadata.Labels ?? new Dictionary<string, string>())
            .Where(l => l.Key.Contains("jitadmission.io", StringComparison.Ordinal))
            .OrderBy(l => l.Key, StringComparer.Ordinal)
            .Select(l => l.Key + "=" + l.Value));

    private static string Owners(ApprovalRequest r) =>
        Text(r.Metadata.OwnerReferences?.Select(o => $"{o.ApiVersion}/{o.Kind}/{o.Name}/{o.Uid}/{o.Controller}/{o.BlockOwnerDeletion}"));

    /// <summary>Null and empty read the same: the API server does not tell them apart for these lists.</summary>
    private static string Text(IEnumerable<string>? items) => string.Join("\u0001", items ?? []);

    private static ApprovalRequest Clone(ApprovalRequest r) => k8s.KubernetesJson.Deserialize<ApprovalRequest>(k8s.KubernetesJson.Serialize(r));

    private static string Json<T>(T value) => value is null ? "null" : k8s.KubernetesJson.Serialize(value);
}
