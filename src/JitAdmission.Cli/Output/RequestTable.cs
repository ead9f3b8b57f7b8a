namespace JitAdmission.Cli.Output;

/// <summary>The table of <c>kubectl jit list</c>.</summary>
internal static class RequestTable
{
    /// <param name="standing">For the requester's own requests (<c>--mine</c>): one STATUS column saying what each waits on
    /// and from whom, or what was decided, and the time left, instead of REQUESTER, APPROVALS and EXPIRES.</param>
    public static string Render(IReadOnlyList<RequestView> views, DateTimeOffset now, bool withNamespace, bool wide, bool standing = false)
    {
        ArgumentNullException.ThrowIfNull(views);
        var headers = new List<string>();
        if (withNamespace) headers.Add("NAMESPACE");
        headers.AddRange(standing ? ["NAME", "PHASE", "ACTION", "STATUS", "AGE"] : ["NAME", "PHASE", "ACTION", "REQUESTER", "APPROVALS", "EXPIRES", "AGE"]);
        if (wide) headers.AddRange(["SCOPE", "POLICIES", "REASON"]);

        var table = new TextTable(headers);
        foreach (var view in views)
        {
            var cells = new List<string>();
            if (withNamespace) cells.Add(view.Fetched.Namespace);
            cells.AddRange(standing
                ? [view.Fetched.Name, view.DisplayPhase.ToString(), view.Action, RequestStanding.Describe(view, now), RelativeTime.Age(view.Created, now)]
                : [
                    view.Fetched.Name,
                    view.DisplayPhase.ToString(),
                    view.Action,
                    view.Request.Spec.Requester.Username,
                    view.Approvals,
                    Expires(view, now),
                    RelativeTime.Age(view.Created, now),
                ]);
            if (wide)
            {
                var spec = view.Request.Spec;
                cells.AddRange([spec.Scope.ToString(), string.Join(",", spec.Policies), Shorten(spec.Reason, 60)]);
            }

            table.Add(cells);
        }

        return table.ToString();
    }

    /// <summary>When the request stops being pending (Pending), or its approval stops being usable (Approved, BreakGlass).</summary>
    public static string Expires(RequestView view, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(view);
        DateTimeOffset? when = view.DisplayPhase switch
        {
            RequestPhase.Pending => view.ExpiresAt,
            RequestPhase.Approved or RequestPhase.BreakGlass => view.ValidUntil,
            RequestPhase.Expired => view.ValidUntil ?? view.ExpiresAt,
            _ => null,
        };
        return when is { } w ? RelativeTime.From(w, now) : "-";
    }

    private static string Shorten(string text, int max)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= max ? line : string.Concat(line.AsSpan(0, max - 3), "...");
    }
}
