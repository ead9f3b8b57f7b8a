using JitAdmission.Core.Changes;
using JitAdmission.Core.Matching;
using JitAdmission.Core.Messages;

namespace JitAdmission.Cli.Model;

/// <summary>
/// <c>kubectl jit apply</c> with several objects that need approval (docs/semantics.md "Change sets"): every object is
/// first applied as a server-side dry run as the caller, so the set holds each object as the API server will store it
/// (defaults and other mutating webhooks included) and jit-admission's dry-run notice says which need approval. Those
/// objects go into one ApprovalRequest (an identical pending one is reused); once it is approved every object is
/// applied, and each gated one uses the set exactly once. Nothing is applied before the approval.
/// </summary>
internal sealed partial class ApplyFlow
{
    /// <summary>What preparing a set came to: an exit code (failed, said why), a set request to wait on, or neither (apply as usual).</summary>
    private sealed record SetPreparation(int? ExitCode = null, FetchedRequest? Request = null, IReadOnlyList<ChangeSetObject>? Objects = null);

    private async Task<SetPreparation> PrepareChangeSetAsync(CancellationToken cancellationToken)
    {
        if (objects.Count < 2) return new();
        var gated = new List<(ManifestObject Object, ChangeSetObject Entry, DryRunNotice Notice)>();
        string? requester = null;
        foreach (var o in objects)
        {
            var (target, failure) = await ResolveAsync(o, cancellationToken);
            if (target is null) return new(ExitCodes.Error);
            RawResponse response;
            try
            {
                response = await session.Client.SendAsync(HttpMethod.Patch, target.ApplyPath(dryRun: true), o.Document, ApplyPatchType, cancellationToken);
            }
            catch (Exception e) when (ApiErrors.Read(e) is { } refused)
            {
                var user = refused.IsPermissionDenied ? await session.UsernameForAdviceAsync(cancellationToken) : null;
                await context.Err.WriteLineAsync(Safe($"Error from server ({(refused.Reason.Length > 0 ? refused.Reason : (int)refused.Code)}): "
                    + $"error when applying {target.Reference} from \"{o.Source}\" (dry run, nothing was applied): " + ApiErrors.Describe(refused, null, user)));
                return new(ExitCodes.Error);
            }

            if (response.Warnings.Select(DryRunNotice.TryParse).OfType<DryRunNotice>().FirstOrDefault() is not { Covered: false } notice) continue;
            requester ??= (await session.WhoAmIAsync(cancellationToken)).Username;
            gated.Add((o, Entry(target, response, requester), notice));
        }

        if (gated.Count < 2) return new();
        var namespaces = gated.Select(g => g.Entry.Namespace ?? "").Distinct(StringComparer.Ordinal).ToList();
        if (namespaces.Count > 1 || namespaces[0].Length == 0)
        {
            await Say($"{gated.Count} objects need approval, in {(namespaces.Contains("") ? "more than one namespace or cluster-wide" : string.Join(", ", namespaces))}: "
                + "a change set holds the objects of one namespace; apply each namespace's objects on their own (cluster-scoped objects one by one)");
            return new(ExitCodes.Error);
        }

        var entries = gated.Select(g => g.Entry).ToList();
        var policies = gated.SelectMany(g => g.Notice.Policies).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var request = await FindOrCreateSetAsync(namespaces[0], entries, policies, requester!, cancellationToken);
        return new(Request: request, Objects: entries);
    }

    /// <summary>The entry for one object: the dry run's answer without the fields the API server manages, fingerprinted as the gate will.</summary>
    private static ChangeSetObject Entry(Target target, RawResponse dryRun, string requester)
    {
        var entry = new ChangeSetObject
        {
            Operation = dryRun.Code == System.Net.HttpStatusCode.Created ? Operations.Create : Operations.Update,
            Group = target.Resource.Group,
            Version = target.Resource.Version,
            Resource = target.Resource.Resource,
            Kind = target.Resource.Kind,
            Namespace = target.Namespace,
            Name = target.Name,
            Object = JsonDocument.Parse(dryRun.Body).RootElement.Clone(),
        };
        entry.Object = ProposedObject.Of(ChangeSets.Attributes(entry, requester)) ?? entry.Object;
        entry.Fingerprint = ChangeSets.Fingerprint(entry, requester);
        return entry;
    }

    /// <summary>A pending or approved set of the caller's with exactly these objects, else a new one.</summary>
    private async Task<FetchedRequest> FindOrCreateSetAsync(
        string @namespace, List<ChangeSetObject> entries, List<string> policies, string requester, CancellationToken cancellationToken)
    {
        var wanted = entries.Select(e => e.Fingerprint).Order(StringComparer.Ordinal).ToList();
        foreach (var existing in await session.Requests.ListAsync(@namespace, cancellationToken))
        {
            var spec = existing.Request.Spec;
            if (spec.ChangeSet is not { } set || spec.Requester.Username != requester) continue;
            if (existing.Request.Status?.Phase is RequestPhase.Denied or RequestPhase.Expired or RequestPhase.Consumed) continue;
            if (!set.Objects.Select(o => o.Fingerprint).Order(StringComparer.Ordinal).SequenceEqual(wanted, StringComparer.Ordinal)) continue;
            await Say($"approvalrequest/{existing.Name} in namespace {@namespace} already asks for these {entries.Count} objects");
            return existing;
        }

        var me = await session.WhoAmIAsync(cancellationToken);
        var created = await session.Requests.CreateAsync(@namespace, new ApprovalRequest
        {
            Metadata = new V1ObjectMeta { NamespaceProperty = @namespace, GenerateName = "changeset-" },
            Spec = new ApprovalRequestSpec
            {
                Policies = policies,
                Requester = me.ToRequester(),
                Action = new RequestedAction { Operation = "*", Namespace = @namespace },
                Scope = ApprovalScope.Exact,
                Reason = SetReason(entries),
                ChangeSet = new ChangeSet { Objects = entries },
            },
        }, cancellationToken);
        await Say($"approvalrequest/{created.Name} in namespace {@namespace} asks for {entries.Count} objects at once: "
            + string.Join(", ", entries.Select(ChangeSets.Describe)));
        return created;
    }

    /// <summary>--reason, else the reason annotation the objects agree on, else none.</summary>
    private string SetReason(List<ChangeSetObject> entries)
    {
        if (reason is { Length: > 0 }) return reason;
        var annotated = entries.Select(e => e.Object is { } o
                && o.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object
                && m.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Object
                && a.TryGetProperty(ApiConstants.ReasonAnnotation, out var r) && r.ValueKind == JsonValueKind.String
                    ? r.GetString() ?? "" : "")
            .Distinct(StringComparer.Ordinal).ToList();
        return annotated is [{ Length: > 0 } one] ? one : "";
    }

    private async Task<int> RunChangeSetAsync(FetchedRequest set, IReadOnlyList<ChangeSetObject> entries, bool wait, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var approve = AdmissionMessages.ApproveCommand(set.Name, set.Namespace);
        if (set.Request.Status?.Phase != RequestPhase.Approved)
        {
            if (!wait)
            {
                await Say($"nothing was applied: approvalrequest/{set.Name} waits for approvers ({approve}); follow it with: "
                    + $"kubectl jit wait {set.Name} -n {set.Namespace}, then apply again (or apply again with --wait)");
                await SayWhoApprovesAsync(new Core.Admission.GateDenial(Core.Admission.DenialKind.NeedsApproval, set.Namespace, set.Name), cancellationToken);
                return ExitCodes.Pending;
            }

            await Say($"waiting for approval of approvalrequest/{set.Name} in namespace {set.Namespace}; approvers run: {approve}");
            var deadline = timeout > TimeSpan.Zero ? context.Time.GetUtcNow() + timeout : (DateTimeOffset?)null;
            var outcome = await new RequestWaiter(session, context).WaitUntilAsync(set.Namespace, set.Name, deadline, timeout, cancellationToken);
            await Say(outcome.Summary);
            if (outcome.ExitCode != ExitCodes.Success) return outcome.ExitCode;
        }

        await Say($"approved; applying the {objects.Count} objects ({entries.Count} under approvalrequest/{set.Name})");
        var results = await ApplyAsync(objects, cancellationToken);
        if (await EndAsync(results) is { } code)
        {
            if (code != ExitCodes.Success)
                await Say($"objects already applied stay applied; the others stay covered by approvalrequest/{set.Name} until its window ends: apply again");
            return code;
        }

        await Say("some objects still need approval (see above): they differ from what was approved, or changed meanwhile");
        return ExitCodes.Pending;
    }
}
