namespace JitAdmission.Controller.WebhookConfiguration;

/// <summary>The webhooks jit-admission registers and the paths that answer them (docs/configuration.md).</summary>
public static class WebhookNames
{
    /// <summary>Gates changes the policies match.</summary>
    public const string Gate = "gate.jitadmission.io";
    /// <summary>Sees the Helm release records of gated namespaces (docs/semantics.md "Helm releases"); answered by the gate.</summary>
    public const string Release = "release.jitadmission.io";
    /// <summary>Validates writes to jit-admission's own resources.</summary>
    public const string Guard = "guard.jitadmission.io";
    /// <summary>Stamps reviewers' groups and time on new reviews.</summary>
    public const string Stamp = "stamp.jitadmission.io";

    public const string GatePath = "/validate";
    public const string GuardPath = "/guard";
    public const string StampPath = "/mutate";
}
