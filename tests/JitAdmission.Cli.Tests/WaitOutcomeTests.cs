using JitAdmission.Cli.CommandLine;
using JitAdmission.Cli.Model;
using JitAdmission.Core.Api;
using static JitAdmission.Cli.Tests.TestSupport.Requests;

namespace JitAdmission.Cli.Tests;

/// <summary>wait's exit codes: 0 approved or break-glass, 3 denied, 4 expired, 6 used up; pending keeps waiting.</summary>
public class WaitOutcomeTests
{
    [Theory]
    [InlineData(RequestPhase.Approved, ExitCodes.Success)]
    [InlineData(RequestPhase.BreakGlass, ExitCodes.Success)]
    [InlineData(RequestPhase.Denied, ExitCodes.Denied)]
    [InlineData(RequestPhase.Expired, ExitCodes.Expired)]
    [InlineData(RequestPhase.Consumed, ExitCodes.Consumed)]
    public void A_decided_request_ends_the_wait_with_its_exit_code(RequestPhase phase, int exitCode)
    {
        var request = Request();
        request.Status = new ApprovalRequestStatus { Phase = phase, ObservedGeneration = request.Metadata.Generation, Message = "because" };

        var outcome = WaitOutcome.From(RequestView.Build(Fetched(request), Unreadable, At(1)));

        Assert.NotNull(outcome);
        Assert.Equal(exitCode, outcome.ExitCode);
        Assert.Equal($"approvalrequest/deployments-web-0123456789 {phase}: because", outcome.Summary);
    }

    [Fact]
    public void A_pending_or_unknown_request_keeps_the_wait_going()
    {
        Assert.Null(WaitOutcome.From(RequestView.Build(Fetched(Request()), Policies(Policy()), At(1))));
        Assert.Null(WaitOutcome.From(RequestView.Build(Fetched(Request()), Unreadable, At(1))));
    }

    [Fact]
    public void Exit_codes_are_distinct_for_every_outcome()
    {
        int[] codes = [ExitCodes.Success, ExitCodes.Error, ExitCodes.Usage, ExitCodes.Denied, ExitCodes.Expired, ExitCodes.TimedOut, ExitCodes.Consumed, ExitCodes.Pending];
        Assert.Equal(codes.Length, codes.Distinct().Count());
    }
}
