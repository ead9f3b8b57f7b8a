namespace JitAdmission.Cli.Kube;

/// <summary>One event of a watch on a single ApprovalRequest.</summary>
internal sealed record RequestEvent(WatchEventType Type, FetchedRequest? Request, V1Status? Status);
