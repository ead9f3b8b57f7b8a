using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace JitAdmission.Benchmarks.Payloads;

/// <summary>What an AdmissionReview is about: the object kind sent, where, by whom, and how big the object is.</summary>
public sealed record ReviewSpec(string Kind, string Namespace, string Name, string Username, string[] Groups, int ObjectBytes)
{
    public const string Deployment = "Deployment";
    public const string ConfigMap = "ConfigMap";
}

/// <summary>
/// AdmissionReview v1 bodies as the API server sends them for an UPDATE: fields in the order of Go's AdmissionRequest
/// (uid, kind, resource, requestKind, requestResource, name, namespace, operation, userInfo, object, oldObject, dryRun,
/// options), a new and an old object of about <see cref="ReviewSpec.ObjectBytes"/> each. Objects are realistic
/// (metadata with managedFields, a Deployment's pod template, a ConfigMap's data) and padded with many small fields
/// (environment variables, data keys) rather than one big string, which is the harder case for parsing and hashing.
/// </summary>
public static class AdmissionReviews
{
    public const string Uid = "b1e5a7c2-3f4d-4e8a-9c1b-6d2f0e9a8b7c";

    public static byte[] Build(ReviewSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var newObject = ObjectJson(spec, "nginx:1.27.3");
        var oldObject = ObjectJson(spec, "nginx:1.27.2");
        var deployment = spec.Kind == ReviewSpec.Deployment;
        var (group, version, resource) = deployment ? ("apps", "v1", "deployments") : ("", "v1", "configmaps");

        var buffer = new ArrayBufferWriter<byte>(newObject.Length * 2 + 2048);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("kind", "AdmissionReview");
            w.WriteString("apiVersion", "admission.k8s.io/v1");
            w.WriteStartObject("request");
            w.WriteString("uid", Uid);
            WriteGvk(w, "kind", group, version, spec.Kind);
            WriteGvr(w, "resource", group, version, resource);
            WriteGvk(w, "requestKind", group, version, spec.Kind);
            WriteGvr(w, "requestResource", group, version, resource);
            w.WriteString("name", spec.Name);
            w.WriteString("namespace", spec.Namespace);
            w.WriteString("operation", "UPDATE");
            w.WriteStartObject("userInfo");
            w.WriteString("username", spec.Username);
            w.WriteString("uid", "0f6c1d2e-" + spec.Username);
            w.WriteStartArray("groups");
            foreach (var g in spec.Groups) w.WriteStringValue(g);
            w.WriteStringValue("system:authenticated");
            w.WriteEndArray();
            w.WriteEndObject();
            w.WritePropertyName("object");
            w.WriteRawValue(newObject, skipInputValidation: true);
            w.WritePropertyName("oldObject");
            w.WriteRawValue(oldObject, skipInputValidation: true);
            w.WriteBoolean("dryRun", false);
            w.WriteStartObject("options");
            w.WriteString("kind", "UpdateOptions");
            w.WriteString("apiVersion", "meta.k8s.io/v1");
            w.WriteString("fieldManager", "kubectl-client-side-apply");
            w.WriteString("fieldValidation", "Strict");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The object alone (for fingerprint and CEL benchmarks that start from a parsed request).</summary>
    public static byte[] ObjectJson(ReviewSpec spec, string image)
    {
        ArgumentNullException.ThrowIfNull(spec);
        // Pad until the object reaches the requested size; each pad entry is ~70 bytes.
        var pads = 0;
        byte[] json;
        while (true)
        {
            json = spec.Kind == ReviewSpec.Deployment ? Deployment(spec, image, pads) : ConfigMap(spec, image, pads);
            if (json.Length >= spec.ObjectBytes) return json;
            var missing = spec.ObjectBytes - json.Length;
            pads += Math.Max(1, missing / 72);
        }
    }

    private static byte[] Deployment(ReviewSpec spec, string image, int pads)
    {
        var buffer = new ArrayBufferWriter<byte>(1024 + pads * 80);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("apiVersion", "apps/v1");
            w.WriteString("kind", "Deployment");
            WriteMetadata(w, spec, 3);
            w.WriteStartObject("spec");
            w.WriteNumber("replicas", 3);
            w.WriteStartObject("selector");
            w.WriteStartObject("matchLabels");
            w.WriteString("app", spec.Name);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("template");
            w.WriteStartObject("metadata");
            w.WriteStartObject("labels");
            w.WriteString("app", spec.Name);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("spec");
            w.WriteStartArray("containers");
            w.WriteStartObject();
            w.WriteString("name", spec.Name);
            w.WriteString("image", image);
            w.WriteStartArray("ports");
            w.WriteStartObject();
            w.WriteNumber("containerPort", 8080);
            w.WriteString("protocol", "TCP");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartArray("env");
            for (var i = 0; i < pads; i++)
            {
                w.WriteStartObject();
                w.WriteString("name", "SETTING_" + i.ToString("D5", CultureInfo.InvariantCulture));
                w.WriteString("value", "value-" + i.ToString("D5", CultureInfo.InvariantCulture) + "-abcdefghijklmnopqrstuvwx");
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("resources");
            w.WriteStartObject("requests");
            w.WriteString("cpu", "100m");
            w.WriteString("memory", "128Mi");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("status");
            w.WriteNumber("observedGeneration", 3);
            w.WriteNumber("replicas", 3);
            w.WriteNumber("readyReplicas", 3);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] ConfigMap(ReviewSpec spec, string image, int pads)
    {
        var buffer = new ArrayBufferWriter<byte>(1024 + pads * 80);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("apiVersion", "v1");
            w.WriteString("kind", "ConfigMap");
            WriteMetadata(w, spec, null);
            w.WriteStartObject("data");
            w.WriteString("image", image);
            for (var i = 0; i < pads; i++)
                w.WriteString("setting_" + i.ToString("D5", CultureInfo.InvariantCulture), "value-" + i.ToString("D5", CultureInfo.InvariantCulture) + "-abcdefghijklmnopqrstuvwxyz0123456789");
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteMetadata(Utf8JsonWriter w, ReviewSpec spec, int? generation)
    {
        w.WriteStartObject("metadata");
        w.WriteString("name", spec.Name);
        w.WriteString("namespace", spec.Namespace);
        w.WriteString("uid", "7d0c4f3a-2b1e-4c5d-8e9f-0a1b2c3d4e5f");
        w.WriteString("resourceVersion", "123456");
        if (generation is { } g) w.WriteNumber("generation", g);
        w.WriteString("creationTimestamp", "2026-01-01T00:00:00Z");
        w.WriteStartObject("labels");
        w.WriteString("app", spec.Name);
        w.WriteString("team", "payments");
        w.WriteEndObject();
        w.WriteStartObject("annotations");
        w.WriteString("jitadmission.io/reason", "roll out the CVE fix");
        w.WriteEndObject();
        w.WriteStartArray("managedFields");
        w.WriteStartObject();
        w.WriteString("manager", "kubectl-client-side-apply");
        w.WriteString("operation", "Update");
        w.WriteString("apiVersion", spec.Kind == ReviewSpec.Deployment ? "apps/v1" : "v1");
        w.WriteString("time", "2026-01-01T00:00:00Z");
        w.WriteString("fieldsType", "FieldsV1");
        w.WriteStartObject("fieldsV1");
        w.WriteStartObject("f:metadata");
        w.WriteStartObject("f:labels");
        w.WriteStartObject("f:app");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteGvk(Utf8JsonWriter w, string property, string group, string version, string kind) =>
        WriteGroupVersion(w, property, group, version, "kind", kind);

    private static void WriteGvr(Utf8JsonWriter w, string property, string group, string version, string resource) =>
        WriteGroupVersion(w, property, group, version, "resource", resource);

    private static void WriteGroupVersion(Utf8JsonWriter w, string property, string group, string version, string name, string value)
    {
        w.WriteStartObject(property);
        w.WriteString("group", group);
        w.WriteString("version", version);
        w.WriteString(name, value);
        w.WriteEndObject();
    }
}
