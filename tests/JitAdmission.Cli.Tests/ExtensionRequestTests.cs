using JitAdmission.Cli.Commands;
using JitAdmission.Cli.Model;
using JitAdmission.Cli.Output;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Core.Guard;
using static JitAdmission.Cli.Tests.TestSupport.Requests;

namespace JitAdmission.Cli.Tests;

/// <summary>kubectl jit extend builds what the guard accepts, names it after the chain, and describe shows the chain.</summary>
public class ExtensionRequestTests
{
    private static ApprovalPolicy Grants(ExtensionApproval approval) => Policy("prod-exec", a =>
    {
        a.Scope = ApprovalScope.Grant;
        a.ValidFor = "15m";
        a.Extensions = new ExtensionSettings { Max = 2, Approval = approval };
    });

    /// <summary>alice's Grant in prod, approved by bob (sre) and carol (security) at 1m: valid until 16m.</summary>
    private static ApprovalRequest ApprovedGrant(string name = "alice-prod-exec-x7k2p")
    {
        var request = Request(name, created: At(0), scope: ApprovalScope.Grant, policies: ["prod-exec"],
            reviews: [Approve("bob", At(1), "sre"), Approve("carol", At(1), "security")]);
        request.Spec.Action = new RequestedAction { Operation = "*", Namespace = "prod" };
        request.Spec.Requester.Uid = "alice-uid";
        return request;
    }

    [Fact]
    public void The_extension_continues_the_approval_for_the_caller_and_passes_the_guard()
    {
        var extended = ApprovedGrant();
        var me = Caller("alice", "devs");

        var body = ExtensionRequest.Build(extended, me, "still debugging", TimeSpan.FromMinutes(10), "alice-prod-exec-x7k2p-ext-1");

        Assert.Equal(("alice-prod-exec-x7k2p-ext-1", "prod"), (body.Metadata.Name, body.Metadata.NamespaceProperty));
        Assert.Equal("alice-prod-exec-x7k2p", body.Spec.Extends);
        Assert.Equal("10m", body.Spec.ValidFor);
        Assert.Equal(["prod-exec"], body.Spec.Policies);
        Assert.Equal(ApprovalScope.Grant, body.Spec.Scope);
        Assert.Equal(("*", "prod"), (body.Spec.Action.Operation, body.Spec.Action.Namespace));
        Assert.Equal(("alice", "alice-uid"), (body.Spec.Requester.Username, body.Spec.Requester.Uid));
        Assert.Empty(body.Spec.Reviews);
        Assert.Empty(RequestGuard.ValidateCreate(body, me.ToUserInfo(), n => n == "prod-exec" ? Grants(ExtensionApproval.Automatic) : null,
            isOperator: false, At(12), n => n == extended.Metadata.Name ? extended : null));
    }

    [Fact]
    public void Someone_else_cannot_extend_it()
    {
        var extended = ApprovedGrant();
        var mallory = Caller("mallory", "devs");
        var body = ExtensionRequest.Build(extended, mallory, "mine now", null, "x-ext-1");

        var errors = RequestGuard.ValidateCreate(body, mallory.ToUserInfo(), n => n == "prod-exec" ? Grants(ExtensionApproval.Automatic) : null,
            isOperator: false, At(12), n => n == extended.Metadata.Name ? extended : null);

        Assert.Contains(errors, e => e.Contains("only its requester can extend it", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("web", new string[0], "web-ext-1")]
    [InlineData("web", new[] { "web-ext-1", "web-ext-2", "other-ext-9" }, "web-ext-3")]
    [InlineData("web-ext-2", new[] { "web-ext-1", "web-ext-2" }, "web-ext-3")]
    [InlineData("web-ext-x", new[] { "web-ext-x-ext-1" }, "web-ext-x-ext-2")]
    public void Extensions_are_numbered_along_the_chain(string extended, string[] taken, string expected) =>
        Assert.Equal(expected, ExtensionRequest.NextName(extended, taken));

    [Fact]
    public void A_long_name_is_shortened_to_fit()
    {
        var name = ExtensionRequest.NextName(new string('a', 253), []);

        Assert.True(name.Length <= 253, name);
        Assert.EndsWith("-ext-1", name, StringComparison.Ordinal);
    }

    [Fact]
    public void Automatic_extension_needs_no_approval_and_says_so()
    {
        var extension = ExtensionRequest.Build(ApprovedGrant(), Caller("alice", "devs"), "more time", null, "alice-prod-exec-x7k2p-ext-1");
        extension.Metadata.CreationTimestamp = TimeText.ToApi(At(12));

        var text = ExtendCommand.Created(RequestView.Build(Fetched(extension), Policies(Grants(ExtensionApproval.Automatic)), At(12)), "alice-prod-exec-x7k2p");

        Assert.Contains("approvalrequest/alice-prod-exec-x7k2p-ext-1 created in namespace prod: extends alice-prod-exec-x7k2p (GRANT prod-exec in prod)", text, StringComparison.Ordinal);
        Assert.Contains("Status: approved automatically as an extension of alice-prod-exec-x7k2p; the approval ends in 15m", text, StringComparison.Ordinal);
        Assert.Contains("No new approval needed", text, StringComparison.Ordinal);
        Assert.DoesNotContain("kubectl jit approve", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Reviewed_extension_names_the_approve_command()
    {
        var extension = ExtensionRequest.Build(ApprovedGrant(), Caller("alice", "devs"), "more time", null, "alice-prod-exec-x7k2p-ext-1");
        extension.Metadata.CreationTimestamp = TimeText.ToApi(At(12));

        var text = ExtendCommand.Created(RequestView.Build(Fetched(extension), Policies(Grants(ExtensionApproval.Required)), At(12)), "alice-prod-exec-x7k2p");

        Assert.Contains("It needs a fresh approval. Approvers run: kubectl jit approve alice-prod-exec-x7k2p-ext-1 -n prod", text, StringComparison.Ordinal);
        Assert.DoesNotContain("No new approval needed", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_shows_the_chain()
    {
        var original = ApprovedGrant("g");
        var first = ExtensionRequest.Build(original, Caller("alice", "devs"), "more", null, "g-ext-1");
        first.Metadata.CreationTimestamp = TimeText.ToApi(At(12));
        var second = ExtensionRequest.Build(first, Caller("alice", "devs"), "more", null, "g-ext-2");
        second.Metadata.CreationTimestamp = TimeText.ToApi(At(20));
        var all = new[] { second, original, first };
        var policies = Policies(Grants(ExtensionApproval.Automatic));

        var top = RequestDescription.Render(RequestView.Build(Fetched(original), policies, At(13)), At(13), null, ExtensionRequest.ExtendedBy("g", all));
        var middle = RequestDescription.Render(RequestView.Build(Fetched(first), policies, At(13)), At(13), null, ExtensionRequest.ExtendedBy("g-ext-1", all));

        Assert.Contains("Extended by:  g-ext-1\n", top, StringComparison.Ordinal);
        Assert.DoesNotContain("Extends:", top, StringComparison.Ordinal);
        Assert.Contains("Extends:      g\n", middle, StringComparison.Ordinal);
        Assert.Contains("Extended by:  g-ext-2\n", middle, StringComparison.Ordinal);
    }
}
