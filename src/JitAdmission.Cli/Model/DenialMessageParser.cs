using System.Text.RegularExpressions;

namespace JitAdmission.Cli.Model;

/// <summary>
/// Finds jit-admission's denials in kubectl's error output (src/JitAdmission.Core/Messages/AdmissionMessages.cs writes
/// them). kubectl prints each as <c>… admission webhook "…" denied the request: MESSAGE</c>, one per object that was
/// refused; the message names the ApprovalRequest and its namespace. Unit tests feed it the real AdmissionMessages output.
/// </summary>
internal static partial class DenialMessageParser
{
    public static IReadOnlyList<DenialNotice> Parse(string kubectlOutput)
    {
        ArgumentNullException.ThrowIfNull(kubectlOutput);
        var text = kubectlOutput.ReplaceLineEndings("\n");
        var found = new List<(int At, DenialNotice Notice)>();

        foreach (Match m in ApproveCommand().Matches(text))
            found.Add((m.Index, new DenialNotice(DenialKind.NeedsApproval, m.Groups["name"].Value, m.Groups["ns"].Value, HeadLine(text, m.Index))));
        foreach (Match m in Denied().Matches(text))
            found.Add((m.Index, new DenialNotice(DenialKind.Denied, m.Groups["name"].Value, m.Groups["ns"].Value, Line(text, m.Index))));
        foreach (Match m in Expired().Matches(text))
            found.Add((m.Index, new DenialNotice(DenialKind.Expired, m.Groups["name"].Value, m.Groups["ns"].Value, Line(text, m.Index))));
        foreach (Match m in Unsatisfiable().Matches(text))
            found.Add((m.Index, new DenialNotice(DenialKind.Unsatisfiable, m.Groups["name"].Value, m.Groups["ns"].Value, Line(text, m.Index))));
        foreach (Match m in InternalError().Matches(text))
            found.Add((m.Index, new DenialNotice(DenialKind.InternalError, "", "", Line(text, m.Index))));

        // The same request can be named twice (kubectl may repeat a message); keep the first mention.
        return [.. found
            .OrderBy(f => f.At)
            .Select(f => f.Notice)
            .DistinctBy(n => (n.Kind, n.Name, n.Namespace, n.Kind == DenialKind.InternalError ? n.Summary : ""))];
    }

    // The line that says what is gated: the message's first line, a line or two above the approve command.
    private static string HeadLine(string text, int index)
    {
        var lines = text[..index].Split('\n');
        for (var i = lines.Length - 1; i >= 0; i--)
        {
            var line = lines[i];
            var marker = line.IndexOf("denied the request: ", StringComparison.Ordinal);
            if (marker >= 0) return line[(marker + "denied the request: ".Length)..].Trim();
            if (line.Contains(" needs approval (", StringComparison.Ordinal) || line.Contains(" is still not approved after waiting ", StringComparison.Ordinal))
                return line.Trim();
        }

        return Line(text, index);
    }

    private static string Line(string text, int index)
    {
        var start = text.LastIndexOf('\n', Math.Max(0, index - 1)) + 1;
        var end = text.IndexOf('\n', index);
        var line = (end < 0 ? text[start..] : text[start..end]).Trim();
        var marker = line.IndexOf("denied the request: ", StringComparison.Ordinal);
        return marker >= 0 ? line[(marker + "denied the request: ".Length)..].Trim() : line;
    }

    private const string Name = @"(?<name>[a-z0-9]([-a-z0-9.]*[a-z0-9])?)";
    private const string Namespace = @"(?<ns>[a-z0-9]([-a-z0-9]*[a-z0-9])?)";

    [GeneratedRegex(@"An approver runs: kubectl jit approve " + Name + " -n " + Namespace, RegexOptions.CultureInvariant)]
    private static partial Regex ApproveCommand();

    [GeneratedRegex(@" was denied by .*?\(ApprovalRequest " + Name + " in namespace " + Namespace + @"\)\.", RegexOptions.CultureInvariant)]
    private static partial Regex Denied();

    [GeneratedRegex(@" was not let through: ApprovalRequest " + Name + " in namespace " + Namespace + " ", RegexOptions.CultureInvariant)]
    private static partial Regex Expired();

    [GeneratedRegex(@"ApprovalRequest " + Name + " in namespace " + Namespace + @": [^\n]*\.\nAsk the cluster admin to fix the policy", RegexOptions.CultureInvariant)]
    private static partial Regex Unsatisfiable();

    [GeneratedRegex(@"jit-admission could not decide: ", RegexOptions.CultureInvariant)]
    private static partial Regex InternalError();
}
