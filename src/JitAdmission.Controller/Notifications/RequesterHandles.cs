using System.Text.RegularExpressions;

namespace JitAdmission.Controller.Notifications;

/// <summary>
/// The chat handles notify routes with <c>mentionRequester</c> address requesters by: the <c>data</c> of the ConfigMap
/// <see cref="ConfigMapName"/> in jit-admission's namespace, username → handle. Only admins write that ConfigMap; the
/// request supplies nothing but its requester's username (stamped from the API server's authentication), used as the
/// key. A handle must look like a mention and nothing more, so a mapping can never smuggle markup such as
/// <c>&lt;!channel&gt;</c> or a link into a message that is otherwise escaped.
/// </summary>
public static partial class RequesterHandles
{
    public const string ConfigMapName = "jit-admission-requesters";

    /// <summary>The handle of <paramref name="username"/> in <paramref name="data"/>, or null when it has none or it is not a safe mention.</summary>
    public static string? Lookup(IDictionary<string, string>? data, string username)
    {
        if (data is null || string.IsNullOrEmpty(username) || !data.TryGetValue(username, out var handle)) return null;
        handle = handle.Trim();
        return IsSafe(handle) ? handle : null;
    }

    /// <summary>"@alice", "@alice.smith" (Mattermost, Rocket.Chat, Teams names), or a Slack member mention "&lt;@U024BE7LH&gt;".</summary>
    public static bool IsSafe(string handle) => Mention().IsMatch(handle) && !Broadcasts.Contains(handle);

    /// <summary>Mentions that notify a whole channel in Mattermost, Rocket.Chat or Discord: never a person's handle.</summary>
    private static readonly HashSet<string> Broadcasts = new(StringComparer.OrdinalIgnoreCase) { "@all", "@channel", "@here", "@everyone" };

    [GeneratedRegex(@"^(@[A-Za-z0-9][A-Za-z0-9._-]{0,79}|<@[A-Z0-9]{2,32}>)\z", RegexOptions.CultureInvariant)]
    private static partial Regex Mention();
}

/// <summary>Where the notification sender finds requesters' handles.</summary>
public interface IRequesterHandles
{
    /// <summary>The safe handle of the user, or null.</summary>
    string? For(string username);
}
