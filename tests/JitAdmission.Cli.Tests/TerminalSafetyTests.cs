using JitAdmission.Cli.Model;
using JitAdmission.Cli.Output;
using JitAdmission.Core.Api;
using JitAdmission.Core.Text;
using static JitAdmission.Cli.Tests.TestSupport.Requests;

namespace JitAdmission.Cli.Tests;

/// <summary>
/// Text a requester or another user wrote (reasons, comments, names) reaches the approver's terminal escaped: an ANSI
/// escape cannot repaint the screen, a bidi override cannot reorder what the approver reads.
/// </summary>
public class TerminalSafetyTests
{
    private const string Ansi = "\u001b[2J\u001b[1;1Happroved by security";
    private const string Bidi = "harmless \u202Eevil\u202C change";

    private static RequestView Hostile()
    {
        var request = Request(reviews: Deny("carol", At(1), "no " + Ansi, "security"));
        request.Spec.Reason = "urgent " + Bidi;
        request.Spec.Change = "UPDATE apps/v1 deployments prod/web by alice\n= spec.note: " + Ansi;
        return RequestView.Build(Fetched(request), Policies(Policy()), At(2));
    }

    private static void AssertSafe(string text)
    {
        Assert.False(TerminalText.HasControl(text, multiline: true), text);
        Assert.Contains("\\u001b[2J", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_escapes_the_reason_the_change_and_comments()
    {
        var text = RequestDescription.Render(Hostile(), At(2));

        AssertSafe(text);
        Assert.Contains("\"urgent harmless \\u202eevil\\u202c change\" (written by alice)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void List_wait_and_review_outputs_escape_them_too()
    {
        var view = Hostile();
        var wide = RequestTable.Render([view], At(2), withNamespace: true, wide: true);
        var outcome = WaitOutcome.From(view)!;
        var report = ReviewReport.Render(view, Caller("carol", "security"), ReviewDecision.Deny);

        Assert.False(TerminalText.HasControl(wide, multiline: true), wide);
        Assert.Contains("\\u202e", wide, StringComparison.Ordinal);
        AssertSafe(outcome.Summary);
        AssertSafe(report);
    }
}
