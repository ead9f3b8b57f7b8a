using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Matching;
using static JitAdmission.Core.Tests.TestSupport.MatchPolicyBuilder;

namespace JitAdmission.Core.Tests.Matching;

public class SubjectMatcherTests
{
    private static readonly UserInfo Alice = new("alice@example.com", "1", ["devs", "system:authenticated"]);
    private static readonly UserInfo Deployer = new("system:serviceaccount:ci:deployer", "2", ["system:serviceaccounts", "system:serviceaccounts:ci"]);

    public static TheoryData<SubjectRef, UserInfo, bool> Cases => new()
    {
        { User("alice@example.com"), Alice, true },
        { User("*@example.com"), Alice, true },
        { User("bob"), Alice, false },
        { Group("devs"), Alice, true },
        { Group("dev?"), Alice, true },
        { Group("ops"), Alice, false },
        { Group("system:serviceaccounts:ci"), Deployer, true },
        { ServiceAccount("ci", "deployer"), Deployer, true },
        { ServiceAccount("ci", "deploy*"), Deployer, true },
        { ServiceAccount("ci", "builder"), Deployer, false },
        { ServiceAccount("prod", "deployer"), Deployer, false },
        { ServiceAccount("ci", "deployer"), Alice, false },
        { new SubjectRef { Kind = SubjectKind.ServiceAccount, Name = "deployer" }, Deployer, false },
        { User("system:serviceaccount:ci:deployer"), Deployer, true },
        { ServiceAccount("ci", "deployer"), new UserInfo("system:serviceaccount:ci", null, []), false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Subjects_match_users_groups_and_service_accounts(SubjectRef subject, UserInfo user, bool expected) =>
        Assert.Equal(expected, SubjectMatcher.Matches(subject, user));
}
