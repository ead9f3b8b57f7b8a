using System.Text.Json.Serialization;

namespace JitAdmission.Core.Api;

/// <summary>Which requests a policy covers. Empty lists mean "any".</summary>
public sealed class PolicyMatch
{
    /// <summary>At least one rule must match the request's resource and operation.</summary>
    [JsonPropertyName("resources")] public List<ResourceRule> Resources { get; set; } = [];

    /// <summary>Namespace names or globs (<c>prod-*</c>). Cluster-scoped objects never match a non-empty list.</summary>
    [JsonPropertyName("namespaces")] public List<string> Namespaces { get; set; } = [];

    [JsonPropertyName("namespaceSelector")] public V1LabelSelector? NamespaceSelector { get; set; }

    /// <summary>Matched against the labels of object and of oldObject; either matching is enough (as Kubernetes does).</summary>
    [JsonPropertyName("objectSelector")] public V1LabelSelector? ObjectSelector { get; set; }

    /// <summary>Object names or globs.</summary>
    [JsonPropertyName("names")] public List<string> Names { get; set; } = [];

    [JsonPropertyName("subjects")] public SubjectMatch? Subjects { get; set; }
}

/// <summary>As in a webhook rule; resources may name subresources (<c>pods/exec</c>, <c>deployments/scale</c>, <c>*/scale</c>).</summary>
public sealed class ResourceRule
{
    [JsonPropertyName("apiGroups")] public List<string> ApiGroups { get; set; } = [];
    [JsonPropertyName("apiVersions")] public List<string> ApiVersions { get; set; } = ["*"];
    [JsonPropertyName("resources")] public List<string> Resources { get; set; } = [];
    /// <summary>CREATE, UPDATE, DELETE, CONNECT or *.</summary>
    [JsonPropertyName("operations")] public List<string> Operations { get; set; } = [];
}

public sealed class SubjectMatch
{
    /// <summary>When non-empty, only these subjects are gated.</summary>
    [JsonPropertyName("include")] public List<SubjectRef> Include { get; set; } = [];
    /// <summary>Never gated (e.g. a CI service account).</summary>
    [JsonPropertyName("exclude")] public List<SubjectRef> Exclude { get; set; } = [];
}

public sealed class SubjectRef
{
    [JsonPropertyName("kind")] public SubjectKind Kind { get; set; } = SubjectKind.User;
    /// <summary>User, group or service account name; <c>*</c> globs allowed.</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    /// <summary>ServiceAccount namespace (required for ServiceAccount).</summary>
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
}
