namespace JitAdmission.Core.Matching;

/// <summary>Who is acting: <c>include</c> (when non-empty) limits gating to these subjects, <c>exclude</c> is never gated.</summary>
public static class SubjectMatcher
{
    public static bool Matches(SubjectRef subject, UserInfo user) => subject.Kind switch
    {
        SubjectKind.User => Glob.IsMatch(subject.Name, user.Username),
        SubjectKind.Group => AnyGroup(subject.Name, user.Groups),
        SubjectKind.ServiceAccount => !string.IsNullOrEmpty(subject.Namespace) &&
            user.IsServiceAccount(out var ns, out var name) && ns == subject.Namespace && Glob.IsMatch(subject.Name, name),
        _ => false,
    };

    public static bool MatchesAny(IReadOnlyList<SubjectRef> subjects, UserInfo user)
    {
        for (var i = 0; i < subjects.Count; i++)
        {
            if (Matches(subjects[i], user)) return true;
        }

        return false;
    }

    private static bool AnyGroup(string pattern, IReadOnlyList<string> groups)
    {
        for (var i = 0; i < groups.Count; i++)
        {
            if (Glob.IsMatch(pattern, groups[i])) return true;
        }

        return false;
    }
}
