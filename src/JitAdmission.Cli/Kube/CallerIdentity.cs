using JitAdmission.Core.Admission;

namespace JitAdmission.Cli.Kube;

/// <summary>Who the API server says the caller is (from a SelfSubjectReview): what reviews and requests are made as.</summary>
internal sealed record CallerIdentity(string Username, string? Uid, IReadOnlyList<string> Groups)
{
    public UserInfo ToUserInfo() => new(Username, Uid, Groups);

    /// <summary>The caller as the requester of a request they create themselves (the guard checks it is them).</summary>
    public Requester ToRequester() => new() { Username = Username, Uid = Uid is { Length: > 0 } uid ? uid : null, Groups = [.. Groups] };

    public override string ToString() => Groups.Count == 0 ? Username : $"{Username} (groups: {string.Join(", ", Groups)})";
}
