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

/// <summary>Restarting the API server keeps etcd, so objects survive (used by the controller's restart tests).</summary>
public sealed class SandboxRestartTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>
{
    [Fact]
    public async Task Objects_survive_an_API_server_restart()
    {
        var create = await sandbox.AdminKubectlAsync("create", "configmap", "survivor", "--from-literal=k=v");
        Assert.True(create.Succeeded, create.ToString());

        await sandbox.RestartApiServerAsync();

        var get = await sandbox.AdminKubectlAsync("get", "configmap", "survivor", "-o", "jsonpath={.data.k}");
        Assert.True(get.Succeeded, get.ToString());
        Assert.Equal("v", get.Stdout.Trim());
    }
}
