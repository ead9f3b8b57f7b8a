namespace JitAdmission.Core.Changes;

/// <summary>CONNECT requests in the words of kubectl: exec, attach, port-forward, proxy.</summary>
internal static class ConnectDescription
{
    public static string Describe(AdmissionAttributes request, string target)
    {
        var options = (request.Object.IsPresent ? request.Object : request.Options).Element;
        var kind = request.Resource.Resource == "pods" ? "pod" : request.Resource.Resource;
        var container = String(options, "container");
        var details = new List<string>();
        if (container is not null) details.Add($"container {container}");
        if (Bool(options, "stdin") || Bool(options, "tty")) details.Add("interactive");
        var suffix = details.Count > 0 ? $" ({string.Join(", ", details)})" : "";

        return request.SubResource switch
        {
            "exec" => $"exec into {kind} {target}{suffix}: {ShellCommand(options)}",
            "attach" => $"attach to {kind} {target}{suffix}",
            "portforward" => $"port-forward to {kind} {target}: ports {Ports(options)}",
            _ => $"connect to {request.ResourceWithSubresource} {target}" + (String(options, "path") is { } path ? $" (path {path})" : ""),
        };
    }

    private static string ShellCommand(JsonElement? options)
    {
        if (options is not { ValueKind: JsonValueKind.Object } o || !o.TryGetProperty("command", out var command))
            return "(no command)";
        if (command.ValueKind == JsonValueKind.String) return Quote(command.GetString()!);
        if (command.ValueKind != JsonValueKind.Array) return "(no command)";
        var words = new List<string>();
        foreach (var word in command.EnumerateArray())
            words.Add(word.ValueKind == JsonValueKind.String ? Quote(word.GetString()!) : word.GetRawText());
        return words.Count == 0 ? "(no command)" : string.Join(' ', words);
    }

    private static string Ports(JsonElement? options)
    {
        if (options is not { ValueKind: JsonValueKind.Object } o || !o.TryGetProperty("ports", out var ports))
            return "(none given)";
        if (ports.ValueKind != JsonValueKind.Array) return ports.ToString();
        var list = ports.EnumerateArray().Select(p => p.ToString()).ToList();
        return list.Count == 0 ? "(none given)" : string.Join(", ", list);
    }

    /// <summary>POSIX shell quoting, so the approver reads the command exactly as it would run.</summary>
    internal static string Quote(string word)
    {
        if (word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "_@%+=:,./-".Contains(c, StringComparison.Ordinal)))
            return word;
        var builder = new StringBuilder("'");
        foreach (var c in word)
            builder.Append(c == '\'' ? "'\\''" : c.ToString());
        return builder.Append('\'').ToString();
    }

    private static string? String(JsonElement? options, string name) =>
        options is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            && v.GetString() is { Length: > 0 } s
            ? s
            : null;

    private static bool Bool(JsonElement? options, string name) =>
        options is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
}
