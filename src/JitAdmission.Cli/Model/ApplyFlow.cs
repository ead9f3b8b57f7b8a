using JitAdmission.Core.Admission;
using JitAdmission.Core.Messages;

namespace JitAdmission.Cli.Model;

/// <summary>
/// <c>kubectl jit apply</c>: applies each object server-side as the caller, as <c>kubectl apply --server-side
/// --force-conflicts</c> does, and reads a refusal's Status: jit-admission's denials carry a <see cref="GateDenial"/>
/// in its details (the contract Core owns), never read from the message text. Held changes name their request and who
/// approves it; with --wait it waits for every pending request under one deadline and applies the held objects once more.
/// </summary>
internal sealed partial class ApplyFlow(ClusterSession session, CliContext context, IReadOnlyList<ManifestObject> objects, string? reason = null)
{
    /// <summary>kubectl's field manager for server-side apply: objects stay managed as if kubectl had applied them.</summary>
    public const string FieldManager = "kubectl";

    public const string ApplyPatchType = "application/apply-patch+yaml";

    public async Task<int> RunAsync(bool wait, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Several objects needing approval are asked for together, as one change set, before anything is applied.
        var set = await PrepareChangeSetAsync(cancellationToken);
        if (set.ExitCode is { } failed) return failed;
        if (set is { Request: { } request, Objects: { } entries }) return await RunChangeSetAsync(request, entries, wait, timeout, cancellationToken);

        var results = await ApplyAsync(objects, cancellationToken);
        if (wait && results.Any(r => r.Denial?.Kind == DenialKind.Expired))
        {
            await Say("the approval request expired; applying again to get a new one");
            results = await ApplyAgainAsync(results, r => r.Denial?.Kind == DenialKind.Expired, cancellationToken);
        }

        if (await EndAsync(results) is { } code) return code;
        var pending = Pending(results);
        if (!wait)
        {
            foreach (var p in pending)
            {
                await Say($"approvalrequest/{p.RequestName} in namespace {p.RequestNamespace} waits for approvers "
                    + $"({AdmissionMessages.ApproveCommand(p.RequestName!, p.RequestNamespace!)}); "
                    + $"follow it with: kubectl jit wait {p.RequestName} -n {p.RequestNamespace}, or apply again with --wait");
                await SayWhoApprovesAsync(p, cancellationToken);
            }

            return ExitCodes.Pending;
        }

        var deadline = timeout > TimeSpan.Zero ? context.Time.GetUtcNow() + timeout : (DateTimeOffset?)null;
        var waiter = new RequestWaiter(session, context);
        foreach (var p in pending)
        {
            await Say($"waiting for approval of approvalrequest/{p.RequestName} in namespace {p.RequestNamespace}; approvers run: "
                + AdmissionMessages.ApproveCommand(p.RequestName!, p.RequestNamespace!));
            var outcome = await waiter.WaitUntilAsync(p.RequestNamespace!, p.RequestName!, deadline, timeout, cancellationToken);
            await Say(outcome.Summary);
            if (outcome.ExitCode != ExitCodes.Success) return outcome.ExitCode;
        }

        await Say(pending.Count == 1 ? "approved; applying again" : "all approved; applying again");
        results = await ApplyAgainAsync(results, r => r.Denial is not null, cancellationToken);
        if (await EndAsync(results) is { } final) return final;
        await Say("the change still needs approval (see above): it differs from what was approved, or the approval was used meanwhile");
        return ExitCodes.Pending;
    }

    /// <summary>How applying one object went: applied, refused by jit-admission (<see cref="Denial"/>), or failed otherwise.</summary>
    internal sealed record Result(ManifestObject Object, string Ref, bool Applied, GateDenial? Denial);

    private async Task<List<Result>> ApplyAsync(IEnumerable<ManifestObject> batch, CancellationToken cancellationToken)
    {
        var results = new List<Result>();
        foreach (var o in batch) results.Add(await ApplyOneAsync(o, cancellationToken));
        return results;
    }

    private async Task<List<Result>> ApplyAgainAsync(List<Result> results, Func<Result, bool> which, CancellationToken cancellationToken)
    {
        var again = new List<Result>(results.Count);
        foreach (var r in results) again.Add(which(r) ? await ApplyOneAsync(r.Object, cancellationToken) : r);
        return again;
    }

    /// <summary>Where an object goes (its resource, namespace and kubectl's name for it), or why it cannot be applied (said already).</summary>
    private sealed record Target(ResolvedResource Resource, string? Namespace, string Name, string Reference)
    {
        public string ApplyPath(bool dryRun) =>
            Resource.Path(Namespace, Name) + $"?fieldManager={FieldManager}&force=true" + (dryRun ? "&dryRun=All" : "");
    }

    private async Task<(Target? Target, Result? Failure)> ResolveAsync(ManifestObject o, CancellationToken cancellationToken)
    {
        var resource = await session.KindAsync(o.Group, o.Version, o.Kind, cancellationToken);
        if (resource is null)
            return (null, await FailAsync(o, $"{o.Kind.ToLowerInvariant()}/{o.Name}",
                $"resource mapping not found for name: \"{o.Name}\" namespace: \"{o.Namespace ?? ""}\" from \"{o.Source}\": "
                + $"no matches for kind \"{o.Kind}\" in version \"{o.ApiVersion}\"\nensure CRDs are installed first"));
        var reference = resource.ObjectRef(o.Name);

        string? ns = null;
        if (resource.Namespaced)
        {
            if (session.NamespaceGiven && o.Namespace is { } own && own != session.Namespace)
                return (null, await FailAsync(o, reference, $"the namespace from the provided object \"{own}\" does not match the namespace "
                    + $"\"{session.Namespace}\". You must pass '--namespace={own}' to perform this operation."));
            ns = o.Namespace ?? session.Namespace;
        }

        return (new Target(resource, ns, o.Name, reference), null);
    }

    private async Task<Result> ApplyOneAsync(ManifestObject o, CancellationToken cancellationToken)
    {
        var (target, unresolved) = await ResolveAsync(o, cancellationToken);
        if (target is null) return unresolved!;
        var reference = target.Reference;
        try
        {
            var response = await session.Client.SendAsync(HttpMethod.Patch, target.ApplyPath(dryRun: false), o.Document, ApplyPatchType, cancellationToken);
            var done = response.Code == System.Net.HttpStatusCode.Created ? "created" : "serverside-applied";
            await context.Out.WriteLineAsync(Safe($"{reference} {done}"));
            return new Result(o, reference, true, null);
        }
        catch (Exception e) when (ApiErrors.Read(e) is { } failure)
        {
            var header = $"Error from server ({(failure.Reason.Length > 0 ? failure.Reason : (int)failure.Code)}): error when applying {reference} from \"{o.Source}\": ";
            var denial = GateDenial.TryRead(failure.Body);
            var user = failure.IsPermissionDenied ? await session.UsernameForAdviceAsync(cancellationToken) : null;
            await context.Err.WriteLineAsync(Safe(header + (denial is null ? ApiErrors.Describe(failure, null, user) : failure.Message.TrimEnd())));
            return new Result(o, reference, false, denial);
        }
    }

    private async Task<Result> FailAsync(ManifestObject o, string reference, string message)
    {
        await context.Err.WriteLineAsync(Safe("error: " + message));
        return new Result(o, reference, false, null);
    }

    /// <summary>
    /// The exit code when the attempt is over — everything applied (0), denied (3), failed or refused for good (1), expired
    /// (4) — having said why; null while requests wait for approvers.
    /// </summary>
    private async Task<int?> EndAsync(List<Result> results)
    {
        var refused = results.Where(r => !r.Applied).ToList();
        if (refused.Count == 0) return ExitCodes.Success;
        int? code = null;
        foreach (var r in refused)
        {
            var (said, exit) = Explain(r);
            if (said is not null) await Say(said);
            code = Worst(code, exit);
        }

        return code;
    }

    /// <summary>What to say about one refused object, and the exit code it calls for (null: it waits for approval).</summary>
    private static (string? Say, int? Code) Explain(Result r)
    {
        if (r.Denial is not { } d) return (null, ExitCodes.Error);
        var request = $"approvalrequest/{d.RequestName} in namespace {d.RequestNamespace}";
        return d.Kind switch
        {
            DenialKind.NeedsApproval => (null, null),
            DenialKind.Denied => ($"denied: {request} was denied by an approver (kubectl jit describe {d.RequestName} -n {d.RequestNamespace})", ExitCodes.Denied),
            DenialKind.Expired => ($"{request} expired before {r.Ref} could use it; apply again for a new request (with --wait to wait for it)", ExitCodes.Expired),
            DenialKind.Unsatisfiable => ($"{request} cannot be approved as the policies stand; ask the cluster admin", ExitCodes.Error),
            DenialKind.PolicyError => ($"jit-admission could not evaluate its policy for {r.Ref} and refused it (fail closed); ask the cluster admin", ExitCodes.Error),
            DenialKind.TooManyPending => ($"you have as many pending approval requests as jit-admission allows, so it made none for {r.Ref}: "
                + "wait for them (kubectl jit list --mine -A), or ask an approver to deny those no longer needed", ExitCodes.Error),
            _ => ($"jit-admission could not decide on {r.Ref} and refused it (fail closed); retry, and if it keeps failing ask the cluster admin", ExitCodes.Error),
        };
    }

    // A denial outranks an error, an error an expiry; waiting (null) ranks last.
    private static int? Worst(int? a, int? b)
    {
        static int Rank(int? code) => code switch { ExitCodes.Denied => 3, ExitCodes.Error => 2, ExitCodes.Expired => 1, _ => 0 };
        return Rank(b) > Rank(a) ? b : a;
    }

    private static List<GateDenial> Pending(List<Result> results) =>
        [.. results
            .Select(r => r.Denial)
            .OfType<GateDenial>()
            .Where(d => d.Kind == DenialKind.NeedsApproval && d.RequestName is { Length: > 0 } && d.RequestNamespace is { Length: > 0 })
            .DistinctBy(d => (d.RequestNamespace, d.RequestName))];

    /// <summary>Who must approve, from the request as the caller may read it (best effort: the denial already said how to approve).</summary>
    private async Task SayWhoApprovesAsync(GateDenial pending, CancellationToken cancellationToken)
    {
        RequestView view;
        try
        {
            var fetched = await session.Requests.GetAsync(pending.RequestNamespace!, pending.RequestName!, cancellationToken);
            view = RequestView.Build(fetched, await session.PoliciesAsync(cancellationToken), context.Time.GetUtcNow());
        }
        catch (CliException)
        {
            return;
        }

        var entries = view.Evaluation?.Effective.Entries ?? [];
        if (view.Requirements.Count > 0)
            await Say("who approves: " + string.Join("; ", view.Requirements.Select(r =>
                $"{r.Name} {r.Have}/{r.Need}" + (entries.FirstOrDefault(e => e.Name == r.Name) is { } entry ? $" ({ApproverText.Who(entry)})" : ""))));
        else if (view.Message.Length > 0)
            await Say("status: " + view.Message);
    }

    private static string Safe(string text) => TerminalText.Escape(text, multiline: true);

    private Task Say(string line) => context.Err.WriteLineAsync("kubectl jit: " + Safe(line));
}
