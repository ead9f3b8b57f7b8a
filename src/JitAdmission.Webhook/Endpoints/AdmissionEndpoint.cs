using System.Buffers;
using JitAdmission.Webhook.Review;
using Microsoft.AspNetCore.Http;
using Prometheus;

namespace JitAdmission.Webhook.Endpoints;

/// <summary>
/// The HTTP side of one admission path: checks the request, reads the review, calls the handler under a deadline,
/// writes the answer, records metrics and one log line. The handler only ever sees a well-formed request.
/// </summary>
internal sealed class AdmissionEndpoint
{
    private const string JsonContentType = "application/json";

    private readonly string _path;
    private readonly IAdmissionHandler _handler;
    private readonly bool _mutating;
    private readonly WebhookOptions _options;
    private readonly AdmissionMetrics _metrics;
    private readonly Histogram.Child _duration;
    private readonly Histogram.Child _decision;
    private readonly AdmissionMetrics.RequestCounters _requests;
    private readonly AdmissionDeadline _deadline;
    private readonly ClientAuthentication _clients;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public AdmissionEndpoint(string path, IAdmissionHandler handler, AdmissionEndpointKind kind, WebhookOptions options,
        ClientAuthentication clients, AdmissionMetrics metrics, TimeProvider time, ILogger logger)
    {
        _clients = clients;
        _path = path;
        _handler = handler;
        _mutating = kind == AdmissionEndpointKind.Mutating;
        _options = options;
        _metrics = metrics;
        _duration = metrics.DurationFor(path);
        _decision = metrics.DecisionFor(path);
        _requests = metrics.RequestsFor(path);
        _deadline = new AdmissionDeadline(options.HandlerTimeout, options.TimeoutMargin);
        _time = time;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var started = _time.GetTimestamp();
        var request = context.Request;
        if (!request.IsHttps)
        {
            await RefuseAsync(context, StatusCodes.Status403Forbidden, "not_https", "admission reviews are accepted over HTTPS only", null);
            return;
        }

        // Before anything is read: a caller that is not the API server learns nothing and causes nothing.
        if (_clients.IsRequired && _clients.Check(context.Connection.ClientCertificate) is { } refusal)
        {
            _metrics.RecordClientRefusal(refusal.Label);
            await RefuseAsync(context, refusal.Status, refusal.Label, refusal.Message, null);
            return;
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await RefuseAsync(context, StatusCodes.Status405MethodNotAllowed, "method",
                $"method {request.Method} is not allowed; POST an AdmissionReview", null);
            return;
        }

        if (!IsJson(request.ContentType))
        {
            await RefuseAsync(context, StatusCodes.Status415UnsupportedMediaType, "content_type",
                $"Content-Type \"{request.ContentType}\" is not supported; expected {JsonContentType}", null);
            return;
        }

        var body = await RequestBody.ReadAsync(request, _options.MaxRequestBodyBytes, context.RequestAborted);
        switch (body.Status)
        {
            case BodyStatus.Empty:
                await RefuseAsync(context, StatusCodes.Status400BadRequest, "empty_body", "the request body is empty; expected an AdmissionReview", null);
                return;
            case BodyStatus.TooLarge:
                await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, "too_large",
                    $"the request body exceeds the limit of {_options.MaxRequestBodyBytes} bytes", null);
                return;
            case BodyStatus.Unreadable:
                if (context.RequestAborted.IsCancellationRequested)
                {
                    WebhookLog.ClientAborted(_logger, _path, null);
                    return;
                }

                await RefuseAsync(context, StatusCodes.Status400BadRequest, "unreadable_body", "the request body could not be read: " + body.Error, null);
                return;
        }

        var bodyRead = _time.GetTimestamp();
        var buffer = body.Buffer!;
        var ownsBuffer = true;
        try
        {
            if (!AdmissionReviewReader.TryRead(buffer.AsMemory(0, body.Length), out var attributes, out var error, _options.MaxJsonDepth))
            {
                await RefuseAsync(context, StatusCodes.Status400BadRequest, error.Label, error.Message, error.Uid);
                return;
            }

            var (verdict, handlerDone) = await DecideAsync(context, attributes, buffer, bodyRead);
            ownsBuffer = handlerDone;
            if (verdict is null)
            {
                WebhookLog.ClientAborted(_logger, _path, attributes.Uid);
                return;
            }

            _decision.Observe(_time.GetElapsedTime(bodyRead).TotalSeconds);

            if (!_mutating && verdict.JsonPatch is { Length: > 0 }) WebhookLog.PatchDropped(_logger, _path, attributes.Uid);
            using (var output = new PooledBufferWriter())
            {
                AdmissionReviewWriter.WriteVerdict(output, attributes.Uid, verdict, _mutating);
                await WriteAsync(context, StatusCodes.Status200OK, output);
            }

            var elapsed = _time.GetElapsedTime(started);
            _duration.Observe(elapsed.TotalSeconds);
            _metrics.RecordDecision(_requests, attributes.Operation, verdict);
            // A plain allow (the shared AdmissionVerdict.Allow: no policy, no warning, no patch) is what most requests get;
            // at Information its log line would cost a third of the request (make bench). It is counted in
            // jitadmission_admission_requests_total and logged at Debug; every other decision at Information.
            var level = ReferenceEquals(verdict, AdmissionVerdict.Allow) ? LogLevel.Debug : LogLevel.Information;
            if (_logger.IsEnabled(level))
            {
                var resource = attributes.SubResource.Length == 0
                    ? attributes.Resource.ToString()
                    : attributes.Resource + "/" + attributes.SubResource;
                WebhookLog.Decision(_logger, level, _path, attributes.Uid, attributes.Operation, resource, attributes.Namespace, attributes.Name, attributes.UserInfo.Username, verdict.Outcome, verdict.Allowed,
                    elapsed.TotalMilliseconds);
            }
        }
        finally
        {
            if (ownsBuffer) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Runs the handler under the deadline, counted from <paramref name="started"/> (the body read). Returns a null
    /// verdict when the API server hung up. When the handler is
    /// still running (deadline passed), it keeps the request buffer, which is returned once it finishes.
    /// </summary>
    private async ValueTask<(AdmissionVerdict? Verdict, bool HandlerDone)> DecideAsync(HttpContext context, AdmissionAttributes attributes, byte[] buffer,
        long started)
    {
        var timeout = _deadline.For(context.Request.QueryString.Value);
        var deadline = new CancellationTokenSource();
        System.Threading.ITimer? timer = null;
        CancellationTokenRegistration aborted = default;
        Task<AdmissionVerdict>? running = null;
        try
        {
            var pending = _handler is IDeadlineAwareAdmissionHandler aware
                ? aware.HandleAsync(attributes, timeout, deadline.Token)
                : _handler.HandleAsync(attributes, deadline.Token);
            if (pending.IsCompletedSuccessfully) return (Checked(pending.Result, attributes.Uid), true);

            // The deadline's timer and the hang-up are armed only for a handler that goes async: most requests are
            // decided synchronously, and arming both for them cost more than the no-match decision itself.
            var remaining = timeout - _time.GetElapsedTime(started);
            timer = _time.CreateTimer(CancelDeadline, deadline, remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            aborted = context.RequestAborted.UnsafeRegister(CancelDeadline, deadline);
            running = pending.AsTask();
            var verdict = await running.WaitAsync(deadline.Token);
            return (Checked(verdict, attributes.Uid), true);
        }
        catch (Exception ex)
        {
            if (context.RequestAborted.IsCancellationRequested) return (null, Release(running, deadline, buffer));
            var handlerDone = Release(running, deadline, buffer);
            if (ex is OperationCanceledException && deadline.IsCancellationRequested)
            {
                WebhookLog.HandlerTimedOut(_logger, _path, attributes.Uid, timeout.TotalMilliseconds);
                return (FailClosed($"no decision within {timeout.TotalSeconds:0.###}s", "timeout"), handlerDone);
            }

            WebhookLog.HandlerFailed(_logger, ex, _path, attributes.Uid);
            return (FailClosed(ex.Message.Length == 0 ? ex.GetType().Name : ex.Message, "error"), handlerDone);
        }
        finally
        {
            timer?.Dispose();
            await aborted.DisposeAsync();
            if (running is null || running.IsCompleted) deadline.Dispose();
        }
    }

    /// <summary>A timer that already fired, or a hang-up, may race a handler finishing and the source's disposal.</summary>
    private static void CancelDeadline(object? state)
    {
        try
        {
            ((CancellationTokenSource)state!).Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The handler finished first; nothing is left to cancel.
        }
    }

    /// <summary>True when the handler has finished; otherwise hands the buffer and token source to its continuation.</summary>
    private static bool Release(Task<AdmissionVerdict>? running, CancellationTokenSource deadline, byte[] buffer)
    {
        if (running is null || running.IsCompleted) return true;
        running.ContinueWith(static (task, state) =>
        {
            var (buffer, deadline) = ((byte[], CancellationTokenSource))state!;
            _ = task.Exception; // observed: a late failure has already been answered fail-closed
            deadline.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
        }, (buffer, deadline), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return false;
    }

    private AdmissionVerdict Checked(AdmissionVerdict? verdict, string uid)
    {
        if (verdict is not null) return verdict;
        var ex = new InvalidOperationException("the handler returned no verdict");
        WebhookLog.HandlerFailed(_logger, ex, _path, uid);
        return FailClosed(ex.Message, "error");
    }

    /// <summary>
    /// HTTP 200 with a denial: the API server shows our reason to the user, where a transport error would only
    /// yield a generic "failed calling webhook".
    /// </summary>
    private static AdmissionVerdict FailClosed(string reason, string outcome) =>
        AdmissionVerdict.Deny("jit-admission could not decide: " + reason, outcome, StatusCodes.Status500InternalServerError, "InternalError");

    private async Task RefuseAsync(HttpContext context, int status, string reason, string message, string? uid)
    {
        _metrics.RecordBadRequest(reason);
        WebhookLog.BadRequest(_logger, _path, status, reason, message, uid);
        using var output = new PooledBufferWriter(512);
        AdmissionReviewWriter.WriteFailure(output, uid, status, AdmissionReviewWriter.ReasonFor(status), message);
        await WriteAsync(context, status, output);
    }

    private static async Task WriteAsync(HttpContext context, int status, PooledBufferWriter output)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = JsonContentType;
        response.ContentLength = output.WrittenCount;
        try
        {
            await response.BodyWriter.WriteAsync(output.WrittenMemory, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The API server hung up; nobody is left to answer.
        }
    }

    private static bool IsJson(string? contentType)
    {
        if (contentType is null) return false;
        var media = contentType.AsSpan();
        var semicolon = media.IndexOf(';');
        if (semicolon >= 0) media = media[..semicolon];
        return media.Trim().Equals(JsonContentType, StringComparison.OrdinalIgnoreCase);
    }
}
