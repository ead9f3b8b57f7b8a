namespace JitAdmission.Cli.Commands;

/// <summary>
/// <c>kubectl jit apply -f FILE|DIR|- | -k DIR [--wait]</c>: applies the objects server-side as the caller (what
/// <c>kubectl apply --server-side --force-conflicts</c> does). When jit-admission holds a change for approval, it names the
/// ApprovalRequest and who must approve it; with --wait it waits for the approval and then applies the held objects again, once.
/// </summary>
internal static class ApplyCommand
{
    public static Command Create(CommonOptions common, CliContext context)
    {
        var files = Flag.Of<string[]>("--filename", "The file(s) or directory to apply (.yaml, .yml, .json); - reads stdin", "FILE", "-f");
        var kustomize = Flag.Of<string>("--kustomize", "A kustomization directory, rendered with kubectl kustomize", "DIR", "-k");
        var recursive = Flag.Of<bool>("--recursive", "With a directory: also the directories below it", null, "-R");
        var wait = Flag.Of<bool>("--wait", "When the change needs approval, wait for it and apply again");
        var reason = Flag.Of<string>("--reason", "Why (shown to approvers) when several objects are asked for at once as a change set; default: their jitadmission.io/reason annotation");
        var timeout = DurationOption.Create("--timeout", "With --wait: how long to wait for the approvals in total (0 = until decided or expired)", TimeSpan.FromMinutes(10));
        // kubectl's flags for what this command always does; accepted so that a kubectl apply command line keeps working.
        var serverSide = new Option<bool>("--server-side") { Description = "Always on: objects are applied server-side", Hidden = true };
        var forceConflicts = new Option<bool>("--force-conflicts") { Description = "Always on, as kubectl apply --server-side --force-conflicts", Hidden = true };
        var command = new Command(
            "apply",
            "Apply objects server-side as you (field manager kubectl, conflicts forced), like kubectl apply --server-side --force-conflicts; "
            + "when jit-admission holds a change for approval, say who must approve it and, with --wait, wait for the approval and apply again.")
        {
            files, kustomize, recursive, wait, reason, timeout, serverSide, forceConflicts,
        };
        command.Validators.Add(result =>
        {
            var hasFiles = result.GetValue(files) is { Length: > 0 };
            var hasKustomize = result.GetValue(kustomize) is not null;
            if (hasFiles == hasKustomize) result.AddError("give the objects with -f FILE|DIR|- or with -k DIR (one of them)");
        });

        CommandAction.SetWithSession(command, common, context, async (parse, session, cancellationToken) =>
        {
            var objects = await ReadAsync(context, parse.GetValue(files) ?? [], parse.GetValue(kustomize), parse.GetValue(recursive), Console.In, cancellationToken);
            if (objects.Count == 0) throw new CliException("no objects passed to apply");
            return await new ApplyFlow(session, context, objects, parse.GetValue(reason)).RunAsync(parse.GetValue(wait), parse.GetValue(timeout), cancellationToken);
        });
        return command;
    }

    /// <summary>The objects of every -f (files, directories, stdin once), or of the kustomization rendered by kubectl.</summary>
    internal static async Task<List<ManifestObject>> ReadAsync(
        CliContext context, IReadOnlyList<string> files, string? kustomization, bool recursive, TextReader stdin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(stdin);
        var objects = new List<ManifestObject>();
        if (kustomization is not null)
        {
            var rendered = await KubectlRunner.RunAsync(context, ["kustomize", kustomization], cancellationToken);
            if (rendered.ExitCode != 0)
                throw new CliException($"kubectl kustomize {kustomization} failed (exit {rendered.ExitCode}): {rendered.Stderr.Trim()}");
            objects.AddRange(ManifestReader.Parse(rendered.Stdout, kustomization));
            return objects;
        }

        var readStdin = false;
        foreach (var file in files)
        {
            if (file == "-")
            {
                if (readStdin) continue;
                readStdin = true;
                objects.AddRange(ManifestReader.Parse(await stdin.ReadToEndAsync(cancellationToken), "STDIN"));
                continue;
            }

            foreach (var path in ManifestReader.Files(file, recursive))
                objects.AddRange(ManifestReader.Parse(await File.ReadAllTextAsync(path, cancellationToken), path));
        }

        return objects;
    }
}
