using JitAdmission.Integration.Tests.Infrastructure;

namespace JitAdmission.Integration.Tests.Sandbox;

/// <summary>The test harness itself: users made by the fixture reach the API server with their own identity.</summary>
public sealed class SandboxIdentityTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>
{
    [Fact]
    public async Task Kubectl_as_a_user_is_authenticated_as_that_user_with_its_groups()
    {
        var alice = await sandbox.UserKubeconfigAsync("alice", "devs");

        var whoami = await sandbox.KubectlAsync(alice, ["auth", "whoami", "-o", "jsonpath={.status.userInfo.username} {.status.userInfo.groups}"]);

        Assert.True(whoami.Succeeded, whoami.ToString());
        Assert.StartsWith("alice ", whoami.Stdout);
        Assert.Contains("devs", whoami.Stdout);
    }
}
