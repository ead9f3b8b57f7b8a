using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Channels;
using JitAdmission.Core.Admission;

namespace JitAdmission.Kubernetes.Audit;

/// <summary>
/// One JSON line per audit event on standard output (<c>{"audit":"jit-admission","event":…}</c>, nothing else on the
/// line), so the history survives the records themselves in the log pipeline: every gated decision (uses and
/// break-glass included), every phase a request reaches, and every deletion. Lines are queued and written by one
/// background writer, so a slow log collector never blocks an admission answer; if the queue is full the line is
/// written at once instead (never dropped).
/// </summary>
public sealed class AuditLog : IAsyncDisposable
{
    private const int QueueCapacity = 10_000;

    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Stream _output;
    private readonly TimeProvider _time;
    private readonly Channel<byte[]> _lines = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true });
    private readonly Lock _write = new();
    private readonly Task _writer;

    /// <summary>Audit lines on standard output.</summary>
    public AuditLog(TimeProvider time)
        : this(Console.OpenStandardOutput(), time)
    {
    }

    private AuditLog(Stream output, TimeProvider time)
    {
        _output = output;
        _time = time;
        _writer = Task.Run(WriteAllAsync);
    }

    /// <summary>Audit lines on <paramref name="output"/> instead (tests read them there).</summary>
    public static AuditLog To(Stream output, TimeProvider time) => new(output, time);

    /// <summary>A decision of the gate on a gated request (not the plain allows of requests no policy matches).</summary>
    public void Admission(AdmissionAttributes request, AdmissionVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(verdict);
        Emit("admission", json =>
        {
            json.WriteString("uid", request.Uid);
            json.WriteString("user", request.UserInfo.Username);
            json.WriteString("operation", request.Operation);
            json.WriteString("resource", request.ResourceWithSubresource);
            json.WriteString("group", request.Resource.Group);
            json.WriteString("namespace", request.Namespace);
            json.WriteString("name", request.Name);
            json.WriteBoolean("dryRun", request.DryRun);
            json.WriteBoolean("allowed", verdict.Allowed);
            json.WriteString("outcome", verdict.Outcome);
            WriteArray(json, "policies", verdict.Policies);
            if (verdict.AuditAnnotations.TryGetValue(AuditKeys.Request, out var approval)) json.WriteString("approvalRequest", approval);
            if (verdict.AuditAnnotations.TryGetValue(AuditKeys.Approvers, out var approvers)) json.WriteString("approvers", approvers);
            if (verdict.Denial is { } denial) json.WriteString("denial", denial.Kind.ToString());
            if (!verdict.Allowed && verdict.Message is { } message) json.WriteString("message", message);
        });
    }

    /// <summary>A request reached a phase (announced once by the controller: Pending, Approved, Denied, Consumed, Expired, BreakGlass…).</summary>
    public void RequestPhase(ApprovalRequest request, string announcement, IReadOnlyList<string> approvedBy, string message)
    {
        ArgumentNullException.ThrowIfNull(request);
        Emit("request", json =>
        {
            WriteRequest(json, request);
            json.WriteString("phase", announcement);
            WriteArray(json, "approvedBy", approvedBy);
            json.WriteNumber("uses", request.Status?.Uses ?? 0);
            json.WriteString("message", message);
        });
    }

    /// <summary>A request deleted (by the retention), or a deletion the guard decided on (allowed or refused, and by whom).</summary>
    public void RequestDeletion(string @namespace, string name, string by, bool allowed, string? phase = null)
    {
        Emit("deletion", json =>
        {
            json.WriteString("namespace", @namespace);
            json.WriteString("name", name);
            json.WriteString("by", by);
            json.WriteBoolean("allowed", allowed);
            if (phase is not null) json.WriteString("phase", phase);
        });
    }

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _writer;
    }

    private void Emit(string kind, Action<Utf8JsonWriter> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("audit", "jit-admission");
            json.WriteString("time", _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("event", kind);
            fields(json);
            json.WriteEndObject();
        }

        var line = new byte[buffer.WrittenCount + 1];
        buffer.WrittenSpan.CopyTo(line);
        line[^1] = (byte)'\n';
        if (!_lines.Writer.TryWrite(line)) WriteLine(line);
    }

    private async Task WriteAllAsync()
    {
        await foreach (var line in _lines.Reader.ReadAllAsync()) WriteLine(line);
    }

    /// <summary>One write per line, under a lock, so lines never interleave.</summary>
    private void WriteLine(byte[] line)
    {
        lock (_write)
        {
            _output.Write(line);
            _output.Flush();
        }
    }

    private static void WriteRequest(Utf8JsonWriter json, ApprovalRequest request)
    {
        json.WriteString("namespace", request.Metadata?.NamespaceProperty);
        json.WriteString("name", request.Metadata?.Name);
        json.WriteString("requester", request.Spec.Requester.Username);
        json.WriteString("operation", request.Spec.Action.Operation);
        json.WriteString("resource", request.Spec.Action.Resource);
        json.WriteString("objectNamespace", request.Spec.Action.Namespace);
        json.WriteString("objectName", request.Spec.Action.Name);
        json.WriteString("scope", request.Spec.Scope.ToString());
        json.WriteString("fingerprint", request.Spec.Fingerprint);
        json.WriteBoolean("breakGlass", request.Spec.BreakGlass);
        WriteArray(json, "policies", request.Spec.Policies);
        WriteArray(json, "reviews", request.Spec.Reviews.Select(r => $"{r.Reviewer}:{r.Decision}"));
    }

    private static void WriteArray(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values) json.WriteStringValue(value);
        json.WriteEndArray();
    }
}
