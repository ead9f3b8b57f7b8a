using JitAdmission.Core.Admission;

namespace JitAdmission.Cli.Kube;

/// <summary>Who the API server says the caller is (from a SelfSubjectReview): what reviews and requests are made as.</summary>
internal sealed record CallerIdentity(string Username, string? Uid, IReadOnlyList<string> Groups)
{
    public UserInfo ToUserInfo() => new(Username, Uid, Groups);

    public override string ToString() => Groups.Count == 0 ? Username : $"{Username} (groups: {string.Join(", ", Groups)})";
}
