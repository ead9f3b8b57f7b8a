using JitAdmission.Webhook.Tests.Infrastructure;

namespace JitAdmission.Webhook.Tests.Gating;

/// <summary>The gate behind the real transport: a hold ends before the API server's deadline, with the gate's own answer.</summary>
public sealed class GateTransportTests
{
    [Fact]
    public async Task A_held_call_is_answered_with_how_to_approve_before_the_API_servers_timeout()
    {
        using var world = new GateWorld(TimeProvider.System, wait: "20s");
        await using var host = await WebhookTestHost.StartAsync(world.Handler);
        var review = AdmissionReviewBuilder.Update().InNamespace(GateWorld.Namespace).Build();

        // The API server sends its webhook timeout; the transport keeps a margin and the gate another one. Had the hold
        // outlasted the transport's deadline, the answer would be the transport's generic "could not decide".
        var response = await host.PostAsync("/validate?timeout=3s", review);

        Assert.False(response.Allowed);
        Assert.Equal(403, response.Code);
        // About a second of the 3s: how much exactly depends on when the handler got the CPU.
        Assert.Matches("is still not approved after waiting [0-2]s", response.Message);
        Assert.Contains("kubectl jit approve deployments-web-", response.Message, StringComparison.Ordinal);
        Assert.Single(world.Store.All);
    }
}
