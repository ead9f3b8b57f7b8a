using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Gate;
using JitAdmission.Core.Tests.Admission;
using static JitAdmission.Core.Tests.Admission.EngineWorld;

namespace JitAdmission.Core.Tests.Gate;

/// <summary>
/// Whole calls through <see cref="GateMachine"/>, one row each: every row is a conversation of the effects the machine
/// asks for and the replies the webhook would give (the API server's answers, the cache's changes, the clock). The
/// world is <see cref="EngineWorld"/>'s: policy "p" gates alice's UPDATE of prod/web, group sre approves, wait 10s.
/// </summary>
public class GateConversationTests
{
    /// <summary>One turn: the effect expected (its kind, and for an answer what it must say) and the reply to it.</summary>
    private sealed record Turn(string Expect, Func<Chat, GateObservation>? Reply = null);

    private static Turn Expect(string effect, Func<Chat, GateObservation>? reply = null) => new(effect, reply);

    private static readonly Dictionary<string, (Action<EngineWorld>? Arrange, Turn[] Turns)> Rows = new()
    {
        ["created → held → approved → used: allowed with one write, the hold ended approved"] = (null,
        [
            Expect("create", c => c.StoreCreated()),
            Expect("wait", c => new Woke(true)), // the first wait only follows the request; the machine looks again
            Expect("wait", c => c.Approve()),
            Expect("write", c => c.StoreWritten()),
            Expect("allow consume hold=Approved"),
        ]),
        ["created → held → nobody approves: denied when the policy's wait ends, saying how long it waited"] = (null,
        [
            Expect("create", c => c.StoreCreated()),
            Expect("wait", c => new Woke(true)),
            Expect("wait until +5s", c => c.Advance(5)),
            Expect("read now", c => c.SeeUnseen()), // a check every HeldRecheck: the cache may lag
            Expect("wait until +10s", c => c.Advance(5)),
            Expect("deny hold 'is still not approved after waiting 10s' hold=TimedOut denial=NeedsApproval"),
        ]),
        ["an approval the watch never delivers (a stalled watch): the held call's own check finds it and uses it"] = (null,
        [
            Expect("create", c => c.StoreCreated()),
            Expect("wait", c => new Woke(true)),
            Expect("wait until +5s", c => c.ApproveUnseen(after: 5)),
            Expect("read now", c => c.SeeUnseen()),
            Expect("write", c => c.StoreWritten()),
            Expect("allow consume hold=Approved"),
        ]),
        ["a retry without a wait that finds its request Pending in the cache reads it before saying no"] = (w =>
            {
                w.Policy(s => s.Approval.Wait = "0s");
                w.ExistingFor();
            },
        [
            Expect("read now", c => c.SeeUnseen()),
            Expect("deny hold 'needs approval (policy p)' hold=none denial=NeedsApproval"),
        ]),
        ["a retry without a wait whose approval the cache missed: the read finds it, the change goes through"] = (w =>
            {
                w.Policy(s => s.Approval.Wait = "0s");
                w.ExistingFor();
            },
        [
            Expect("read now", c => c.ApproveUnseen(after: 0)),
            Expect("write", c => c.StoreWritten()),
            Expect("allow consume hold=none"),
        ]),
        ["the hold ends a margin before the transport's deadline when that comes first"] = (w => w.Budget = TimeSpan.FromSeconds(6),
        [
            Expect("create", c => c.StoreCreated()),
            Expect("wait", c => new Woke(true)),
            Expect("wait until +5s", c => c.Advance(5)),
            Expect("deny hold 'after waiting 5s' hold=TimedOut"),
        ]),
        ["without a wait: denied at once with how to approve, no hold"] = (w => w.Policy(s => s.Approval.Wait = "0s"),
        [
            Expect("create", c => c.StoreCreated()),
            Expect("deny hold 'needs approval (policy p)' hold=none denial=NeedsApproval"),
        ]),
        ["a policy that could never be met fails closed at once, naming it, a PolicyError for the plugin"] = (w =>
            w.Policy(s => s.Approval.Approvers = [new ApproverRule { Name = "two", Users = ["bob"], MinApprovals = 2 }]),
        [
            Expect("deny error 'policy p could not be evaluated' hold=none denial=PolicyError"),
        ]),
        ["denied while held: the denial, the hold ended denied"] = (null,
        [
            Expect("create", c => c.StoreCreated()),
            Expect("wait", c => new Woke(true)),
            Expect("wait", c => c.Approve(ReviewDecision.Deny)),
            Expect("deny deny 'was denied by bob' hold=Denied denial=Denied"),
        ]),
        ["expired while held: woken at the expiry, not at the end of the wait"] = (w =>
            {
                var pending = w.ExistingFor();
                pending.Metadata.CreationTimestamp = Core.Approval.TimeText.ToApi(w.Now.AddHours(-1).AddSeconds(4));
            },
        [
            Expect("wait", c => new Woke(true)),
            Expect("wait until +4s", c => c.Advance(4)),
            Expect("deny deny 'expired' hold=Denied denial=Expired"),
        ]),
        ["deleted while held: denied, run the command again"] = (null,
        [
            Expect("create", c => c.StoreCreated()),
            Expect("wait", c => new Woke(true)),
            Expect("wait", c => c.Delete()),
            Expect("deny deny 'was deleted while the call waited' hold=Denied denial=Expired"),
        ]),
        ["spent by another call while held: a new request for this attempt"] = (null,
        [
            Expect("create", c => c.StoreCreated()),
            Expect("wait", c => new Woke(true)),
            Expect("wait", c => c.SpendElsewhere()),
            Expect("create -2", c => c.StoreCreated()),
            Expect("wait", c => new Woke(true)),
            Expect("wait until +5s", c => c.Advance(5)),
            Expect("read now", c => c.SeeUnseen()),
            Expect("wait until +10s", c => c.Advance(5)),
            Expect("deny hold 'was already used' hold=TimedOut"),
        ]),
        ["a use lost to the controller's write the cache already holds: decided again from the cache, no read"] = (null,
        [
            Expect("create", c => c.StoreCreated()),
            Expect("wait", c => new Woke(true)),
            Expect("wait", c => c.Approve()),
            Expect("write", c => c.ControllerWritesFirst()),
            Expect("write", c => c.StoreWritten()),
            Expect("allow consume hold=Approved"),
        ]),
        ["a use lost to a write the cache has not seen: a short wait for it, then a read, then the use"] = (null,
        [
            Expect("create", c => c.StoreCreated()),
            Expect("wait", c => new Woke(true)),
            Expect("wait", c => c.Approve()),
            Expect("write", c => c.ConflictUnseen()),
            Expect("pause 20ms", c => new Woke(false)),
            Expect("read now", c => c.SeeUnseen()),
            Expect("write", c => c.StoreWritten()),
            Expect("allow consume hold=Approved"),
        ]),
        ["a use lost to another user of the same Grant: a random pause and a read, never a blind retry"] = (w =>
            w.AheadOfTime(ApprovalScope.Grant, reviews: ApprovedByBob()),
        [
            Expect("write", c => c.ConflictUnseen()),
            Expect("read 20ms", c => c.SeeUnseen()),
            Expect("write", c => c.StoreWritten()),
            Expect("allow consume hold=none"),
        ]),
        ["two replicas create the same request: the loser reads the winner's and holds on it"] = (null,
        [
            Expect("create", c => c.OtherReplicaCreatedIt()),
            Expect("read now", c => c.SeeUnseen()),
            Expect("wait", c => new Woke(true)),
            Expect("wait", c => c.Approve()),
            Expect("write", c => c.StoreWritten()),
            Expect("allow consume hold=Approved"),
        ]),
        ["a use that keeps losing ends after the round limit, failing closed"] = (w =>
            w.AheadOfTime(ApprovalScope.Grant, reviews: ApprovedByBob()),
        [
            .. Enumerable.Repeat(new[] { Expect("write", c => c.ConflictUnseen()), Expect("read 20ms", c => c.SeeUnseen()) }, GateMachine.MaxRounds)
                .SelectMany(t => t),
            Expect("fail 'kept changing while deciding' denial=InternalError"),
        ]),
        ["a use the API server refuses fails closed with its reason"] = (w => w.ExistingFor(reviews: ApprovedByBob()),
        [
            Expect("write", _ => new Wrote(WriteOutcome.Failed, Message: "forbidden: no")),
            Expect("fail 'cannot record the use of ApprovalRequest'"),
        ]),
        ["a request that cannot be created fails closed with the reason"] = (null,
        [
            Expect("create", _ => new Wrote(WriteOutcome.Failed, Message: "admission webhook denied it")),
            Expect("fail 'cannot create ApprovalRequest deployments-web-'"),
        ]),
        ["an effect that throws fails closed, naming the policies"] = (null,
        [
            Expect("create", _ => new Failed("connection reset")),
            Expect("fail 'connection reset'"),
        ]),
        ["an observation that does not fit the effect fails closed"] = (null,
        [
            Expect("create", _ => new Woke(true)),
            Expect("fail 'saw Woke while Creating'"),
        ]),
        ["break-glass: the record is created, then the change is allowed"] = (w =>
            {
                w.Change = DefaultChange().Object(Deployment(3, "\"jitadmission.io/break-glass\":\"INC-7\""));
                w.Policy(s => s.BreakGlass = new BreakGlassSettings { Users = ["alice"] });
            },
        [
            Expect("create breakglass", c => c.StoreCreated()),
            Expect("allow breakglass hold=none"),
        ]),
        ["an auto-approval rule satisfies every entry: the request is created approved and used by the same call"] = (w =>
            w.Policy(s => s.Approval.AutoApprove = [new AutoApprovalRule { Name = "on-call", Approves = ["sre"], Rule = "request.userInfo.username == 'alice'" }]),
        [
            Expect("create", c => c.StoreCreated()),
            Expect("write", c => c.StoreWritten()),
            Expect("allow consume hold=Approved"),
        ]),
        ["break-glass with an auto-approval rule that holds: recorded for review, never auto-approved"] = (w =>
            {
                w.Change = DefaultChange().Object(Deployment(3, "\"jitadmission.io/break-glass\":\"INC-7\""));
                w.Policy(s =>
                {
                    s.BreakGlass = new BreakGlassSettings { Users = ["alice"] };
                    s.Approval.AutoApprove = [new AutoApprovalRule { Name = "on-call", Approves = ["sre"], Rule = "true" }];
                });
            },
        [
            Expect("create breakglass", c => c.StoreCreated()),
            Expect("allow breakglass hold=none"),
        ]),
        ["an approved change set holding this exact write: used at once, the object recorded as used"] = (w =>
            {
                var set = Approval.ChangeSetTests.Set(Approval.ChangeSetTests.Web(), Approval.ChangeSetTests.Settings());
                set.Spec.Reviews.Add(ApprovedByBob());
                w.Requests.Add(set);
            },
        [
            Expect("write used-object", c => c.StoreWritten()),
            Expect("allow consume hold=none"),
        ]),
        ["before the caches are loaded every gated call fails closed"] = (w => w.Loaded = false,
        [
            Expect("fail 'has not loaded the policies'"),
        ]),
        ["nothing gated: allowed at once"] = (w => w.Policy(s => s.Match.Namespaces = ["staging"]),
        [
            Expect("allow allow hold=none"),
        ]),
    };

    public static TheoryData<string> Names() => [.. Rows.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Conversations(string row)
    {
        var (arrange, turns) = Rows[row];
        var world = new EngineWorld();
        arrange?.Invoke(world);
        var chat = new Chat(world);

        for (var i = 0; i < turns.Length; i++)
        {
            var turn = turns[i];
            chat.Check(turn.Expect, $"turn {i + 1}");
            if (turn.Reply is null)
            {
                Assert.True(i == turns.Length - 1, $"turn {i + 1}: only the last turn may end without a reply");
                break;
            }

            chat.Feed(turn.Reply(chat));
        }

        Assert.IsType<Answer>(chat.Effect);
    }

    /// <summary>One call under way: the machine's state and last effect, and the world the webhook would see.</summary>
    private sealed class Chat
    {
        private readonly EngineWorld _world;
        private readonly DateTimeOffset _started;
        private int _version = 100;
        private ApprovalRequest? _unseen;

        public Chat(EngineWorld world)
        {
            _world = world;
            _started = world.Now;
            var call = new GateCall(world.Attributes, world.IsOperator, world.Settings, world.Now, world.Budget);
            (State, Effect) = GateMachine.Start(call, View());
        }

        public GateState State { get; private set; }
        public GateEffect Effect { get; private set; }

        public void Feed(GateObservation seen) => (State, Effect) = GateMachine.Next(State, seen, View());

        private GateView View() => new(_world.Loaded, _world.PolicySet, _world.Cluster, _world.Lookup, _world.Now);

        /// <summary>
        /// "create [-2|breakglass]", "write", "read now|20ms", "wait [until +Ns]", "pause 20ms", or an answer:
        /// "allow OUTCOME hold=RESULT", "deny OUTCOME 'text' hold=RESULT", "fail 'text'".
        /// </summary>
        public void Check(string expect, string where)
        {
            var words = expect.Split(' ', 2);
            var rest = words.Length > 1 ? words[1] : "";
            switch (words[0])
            {
                case "create":
                    var create = Assert.IsType<CreateRequest>(Effect);
                    Assert.Equal(rest == "breakglass", create.Request.Spec.BreakGlass);
                    if (rest == "-2") Assert.EndsWith("-2", create.Request.Metadata.Name, StringComparison.Ordinal);
                    break;
                case "write":
                    var write = Assert.IsType<WriteStatus>(Effect);
                    if (rest == "used-object") Assert.Equal([_world.Fingerprint], write.Request.Status!.UsedObjects!);
                    Assert.Equal(Stored(write.Request).Metadata.ResourceVersion, write.Request.Metadata.ResourceVersion);
                    break;
                case "read":
                    Assert.Equal(rest == "now" ? TimeSpan.Zero : GateMachine.LostUseJitter, Assert.IsType<ReadRequest>(Effect).Jitter);
                    break;
                case "wait":
                    var wait = Assert.IsType<WaitForChange>(Effect);
                    Assert.Equal(TimeSpan.Zero, wait.Jitter);
                    if (rest.StartsWith("until +", StringComparison.Ordinal))
                        Assert.Equal(_started.AddSeconds(int.Parse(rest[7..^1], System.Globalization.CultureInfo.InvariantCulture)), wait.Until);
                    break;
                case "pause":
                    Assert.Equal(GateMachine.LostUseJitter, Assert.IsType<WaitForChange>(Effect).Jitter);
                    break;
                default:
                    CheckAnswer(words[0], rest, where);
                    break;
            }
        }

        private void CheckAnswer(string kind, string rest, string where)
        {
            var answer = Assert.IsType<Answer>(Effect);
            var verdict = answer.Verdict;
            Assert.True(kind == "allow" == verdict.Allowed, $"{where}: {verdict.Message}");
            if (kind == "fail")
            {
                Assert.Equal(Outcomes.Error, verdict.Outcome);
                Assert.Equal(500, verdict.Code);
            }
            else
            {
                Assert.Equal(rest.Split(' ')[0], verdict.Outcome);
                var hold = rest[(rest.IndexOf("hold=", StringComparison.Ordinal) + 5)..].Split(' ')[0];
                Assert.Equal(hold == "none" ? null : Enum.Parse<HoldResult>(hold), answer.Hold);
            }

            var denial = rest.IndexOf("denial=", StringComparison.Ordinal);
            if (denial >= 0)
            {
                var expected = Enum.Parse<DenialKind>(rest[(denial + 7)..].Split(" ")[0]);
                Assert.Equal(expected, verdict.Denial?.Kind);
                if (State.Plan is HoldPlan held) Assert.Equal(held.Request.Metadata.Name, verdict.Denial!.RequestName);
            }

            var quote = rest.IndexOf('\'', StringComparison.Ordinal);
            if (quote >= 0) Assert.Contains(rest[(quote + 1)..rest.LastIndexOf('\'')], verdict.Message, StringComparison.Ordinal);
        }

        /// <summary>The API server created the request the machine asked for: it is in the cache now.</summary>
        public Wrote StoreCreated()
        {
            var draft = Assert.IsType<CreateRequest>(Effect).Request;
            draft.Metadata.CreationTimestamp = Core.Approval.TimeText.ToApi(_world.Now);
            return new Wrote(WriteOutcome.Ok, Store(draft));
        }

        /// <summary>The use was written: the stored request carries it.</summary>
        public Wrote StoreWritten() => new Wrote(WriteOutcome.Ok, Store(Assert.IsType<WriteStatus>(Effect).Request));

        /// <summary>bob reviews the request the call holds on; the cache sees it.</summary>
        public Woke Approve(ReviewDecision decision = ReviewDecision.Approve)
        {
            var held = Held();
            held.Spec.Reviews.Add(decision == ReviewDecision.Approve ? ApprovedByBob() : DeniedByBob());
            Store(held);
            return new Woke(true);
        }

        /// <summary>bob approves after <paramref name="after"/> seconds, but the cache never hears of it (its watch stalled).</summary>
        public GateObservation ApproveUnseen(int after)
        {
            // A copy: the cached object (and its spec) must not change.
            var json = System.Text.Json.JsonSerializer.Serialize(Held(), ApiJsonContext.Default.ApprovalRequest);
            _unseen = System.Text.Json.JsonSerializer.Deserialize(json, ApiJsonContext.Default.ApprovalRequest)!;
            _unseen.Spec.Reviews.Add(ApprovedByBob());
            _world.Now = _world.Now.AddSeconds(after);
            return Effect is ReadRequest ? SeeUnseen() : new Woke(false);
        }

        public Woke Delete()
        {
            _world.Requests.Remove(Held());
            return new Woke(true);
        }

        /// <summary>Another call used the single use first.</summary>
        public Woke SpendElsewhere()
        {
            var held = Held();
            held.Spec.Reviews.Add(ApprovedByBob());
            held.Status = new ApprovalRequestStatus { Phase = RequestPhase.Consumed, Uses = 1 };
            Store(held);
            return new Woke(true);
        }

        /// <summary>The controller marked the request Approved before the use landed; the watch brought it in.</summary>
        public Wrote ControllerWritesFirst()
        {
            var stored = Stored(Assert.IsType<WriteStatus>(Effect).Request);
            stored.Status = new ApprovalRequestStatus { Phase = RequestPhase.Approved };
            Store(stored);
            return new Wrote(WriteOutcome.Conflict, Message: "the object has been modified");
        }

        /// <summary>Someone else wrote first, and the cache has not seen it yet.</summary>
        public Wrote ConflictUnseen()
        {
            var stored = Stored(Assert.IsType<WriteStatus>(Effect).Request);
            _unseen = stored;
            return new Wrote(WriteOutcome.Conflict, Message: "the object has been modified");
        }

        /// <summary>The read (or the watch) brings the write the cache had not seen.</summary>
        public Observed SeeUnseen()
        {
            if (_unseen is not null) Store(_unseen);
            _unseen = null;
            return Observed.Instance;
        }

        /// <summary>Another replica created the same request first; this cache has not seen it.</summary>
        public Wrote OtherReplicaCreatedIt()
        {
            var draft = Assert.IsType<CreateRequest>(Effect).Request;
            draft.Metadata.CreationTimestamp = Core.Approval.TimeText.ToApi(_world.Now);
            _unseen = draft;
            return new Wrote(WriteOutcome.AlreadyExists, Message: "already exists");
        }

        public Woke Advance(int seconds)
        {
            _world.Now = _world.Now.AddSeconds(seconds);
            return new Woke(false);
        }

        private ApprovalRequest Held() => Stored(((HoldPlan)State.Plan!).Request);

        private ApprovalRequest Stored(ApprovalRequest request) =>
            _world.Lookup.Get(request.Metadata.NamespaceProperty, request.Metadata.Name)
            ?? throw new InvalidOperationException($"{request.Metadata.Name} is not stored");

        /// <summary>Puts a new version of <paramref name="request"/> into the world (as the API server and the watch would).</summary>
        private ApprovalRequest Store(ApprovalRequest request)
        {
            var stored = new ApprovalRequest
            {
                Metadata = new k8s.Models.V1ObjectMeta
                {
                    Name = request.Metadata.Name,
                    NamespaceProperty = request.Metadata.NamespaceProperty,
                    CreationTimestamp = request.Metadata.CreationTimestamp,
                    Labels = request.Metadata.Labels,
                    ResourceVersion = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture),
                },
                Spec = request.Spec,
                Status = request.Status,
            };
            _world.Requests.RemoveAll(r => r.Metadata.NamespaceProperty == stored.Metadata.NamespaceProperty && r.Metadata.Name == stored.Metadata.Name);
            _world.Requests.Add(stored);
            return stored;
        }
    }
}
