using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using JitAdmission.Core.Admission;
using JitAdmission.Webhook.Tests.Infrastructure;

namespace JitAdmission.Webhook.Tests;

/// <summary>The HTTP contract of an admission path, through real Kestrel over TLS.</summary>
public sealed class TransportTests
{
    private static CancellationToken TestTimeout => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    /// <summary>Requests refused before any handler runs: status, bad-request reason, message fragment, echoed uid.</summary>
    public static TheoryData<string, string, string?, string, HttpStatusCode, string, string> BadRequests()
    {
        var data = new TheoryData<string, string, string?, string, HttpStatusCode, string, string>();
        var valid = AdmissionReviewBuilder.Create().WithUid("uid-7").Build();
        data.Add("GET", "GET", null, "", HttpStatusCode.MethodNotAllowed, "method GET is not allowed", "");
        data.Add("PUT", "PUT", "application/json", valid, HttpStatusCode.MethodNotAllowed, "method PUT is not allowed", "");
        data.Add("text/plain", "POST", "text/plain", valid, HttpStatusCode.UnsupportedMediaType, "\"text/plain", "");
        data.Add("no content type", "POST", null, valid, HttpStatusCode.UnsupportedMediaType, "expected application/json", "");
        data.Add("json lookalike", "POST", "application/jsonp", valid, HttpStatusCode.UnsupportedMediaType, "application/jsonp", "");
        data.Add("empty body", "POST", "application/json", "", HttpStatusCode.BadRequest, "body is empty", "");
        data.Add("not JSON", "POST", "application/json", "<xml/>", HttpStatusCode.BadRequest, "not valid JSON", "");
        data.Add("truncated", "POST", "application/json", valid[..(valid.Length - 40)], HttpStatusCode.BadRequest, "not valid JSON", "uid-7");
        data.Add("v1beta1", "POST", "application/json",
            AdmissionReviewBuilder.Create().WithUid("uid-7").WithApiVersion("admission.k8s.io/v1beta1").Build(),
            HttpStatusCode.BadRequest, "admissionReviewVersions", "uid-7");
        data.Add("wrong kind", "POST", "application/json", AdmissionReviewBuilder.Create().WithUid("uid-7").WithReviewKind("Status").Build(),
            HttpStatusCode.BadRequest, "expected AdmissionReview", "uid-7");
        data.Add("missing request", "POST", "application/json", AdmissionReviewBuilder.Create().Remove("$request").Build(),
            HttpStatusCode.BadRequest, "request is missing", "");
        data.Add("missing uid", "POST", "application/json", AdmissionReviewBuilder.Create().Remove("uid").Build(),
            HttpStatusCode.BadRequest, "request.uid is missing", "");
        data.Add("missing userInfo", "POST", "application/json", AdmissionReviewBuilder.Create().WithUid("uid-7").Remove("userInfo").Build(),
            HttpStatusCode.BadRequest, "request.userInfo is missing", "uid-7");
        data.Add("invalid operation", "POST", "application/json", AdmissionReviewBuilder.Create().WithUid("uid-7").Set("operation", "\"PATCH\"").Build(),
            HttpStatusCode.BadRequest, "request.operation \"PATCH\" is invalid", "uid-7");
        data.Add("wrong type", "POST", "application/json", AdmissionReviewBuilder.Create().WithUid("uid-7").Set("dryRun", "\"yes\"").Build(),
            HttpStatusCode.BadRequest, "request.dryRun must be a boolean", "uid-7");
        data.Add("deep nesting", "POST", "application/json",
            AdmissionReviewBuilder.Create().WithUid("uid-7").WithObject(AdmissionReviewReaderTests.Nested(5000)).Build(),
            HttpStatusCode.BadRequest, "deeper than 128 levels", "uid-7");
        return data;
    }

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_requests_are_refused_with_a_clear_status_and_never_reach_the_handler(
        string name, string method, string? contentType, string body, HttpStatusCode status, string fragment, string uid)
    {
        var handler = DelegateHandler.AllowAll();
        await using var host = await WebhookTestHost.StartAsync(handler);
        using var request = new HttpRequestMessage(new HttpMethod(method), "/validate");
        if (method != "GET")
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await host.Client.SendAsync(request);
        var review = await ReviewResponse.ReadAsync(response);

        Assert.True(status == review.StatusCode, $"{name}: {review.StatusCode} {review.Body}");
        Assert.Equal("application/json", review.ContentType);
        Assert.False(review.Allowed);
        Assert.Equal((int)status, review.Code);
        Assert.Contains(fragment, review.Message, StringComparison.Ordinal);
        Assert.Equal(uid, review.Uid);
        Assert.Equal(0, handler.Calls);
        if (status == HttpStatusCode.MethodNotAllowed) Assert.Equal(["POST"], response.Content.Headers.Allow);
        Assert.Single(host.LogsWithEvent(2));
    }

    [Theory]
    [InlineData("CREATE")]
    [InlineData("UPDATE")]
    [InlineData("DELETE")]
    [InlineData("CONNECT")]
    public async Task A_well_formed_review_reaches_the_handler_and_its_uid_is_echoed(string operation)
    {
        AdmissionAttributes? seen = null;
        var handler = DelegateHandler.From(request =>
        {
            seen = request;
            return AdmissionVerdict.Allow;
        });
        await using var host = await WebhookTestHost.StartAsync(handler);
        var builder = operation switch
        {
            "CREATE" => AdmissionReviewBuilder.Create(),
            "UPDATE" => AdmissionReviewBuilder.Update(),
            "DELETE" => AdmissionReviewBuilder.Delete(),
            _ => AdmissionReviewBuilder.Connect(),
        };

        var review = await host.PostAsync("/validate?timeout=10s", builder.Build(), "application/json; charset=utf-8");

        Assert.Equal(HttpStatusCode.OK, review.StatusCode);
        Assert.Equal(builder.Uid, review.Uid);
        Assert.True(review.Allowed);
        Assert.Equal(operation, seen!.Operation);
        Assert.Equal(builder.Uid, seen.Uid);
    }

    [Fact]
    public async Task A_declared_body_over_the_limit_gets_413_before_it_is_sent()
    {
        var handler = DelegateHandler.AllowAll();
        await using var host = await WebhookTestHost.StartAsync(handler);
        await using var connection = await RawHttpsConnection.OpenAsync(host.BaseAddress, host.Certificates);

        // Declares 8 MiB (the default limit is 7 MiB) and sends 1 KiB of it: the answer must not wait for the rest.
        await connection.WriteAsync("POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 8388608\r\n\r\n");
        await connection.WriteAsync(new byte[1024]);
        var (status, head) = await connection.ReadHeadAsync(TestTimeout);

        Assert.Equal(413, status);
        Assert.Contains("application/json", head, StringComparison.Ordinal);
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public async Task A_chunked_body_is_read_only_until_it_passes_the_limit()
    {
        var handler = DelegateHandler.AllowAll();
        await using var host = await WebhookTestHost.StartAsync(handler, new Dictionary<string, string?> { ["Webhook:MaxRequestBodyBytes"] = "65536" });
        await using var connection = await RawHttpsConnection.OpenAsync(host.BaseAddress, host.Certificates);
        await connection.WriteAsync("POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestTimeout);
        var chunk = Encoding.ASCII.GetBytes("4000\r\n" + new string(' ', 0x4000) + "\r\n");
        var sent = 0;
        var writer = Task.Run(async () =>
        {
            // Bounded: 64 chunks of 16 KiB is 16 times the limit; the server answers long before.
            for (var i = 0; i < 64 && !stop.IsCancellationRequested; i++)
            {
                try
                {
                    await connection.WriteAsync(chunk);
                    Interlocked.Increment(ref sent);
                }
                catch (IOException)
                {
                    return;
                }
            }
        });
        var (status, _) = await connection.ReadHeadAsync(TestTimeout);
        await stop.CancelAsync();
        await writer;

        Assert.Equal(413, status);
        Assert.Equal(0, handler.Calls);
    }

    [Theory]
    [InlineData(0, HttpStatusCode.OK)]
    [InlineData(1, HttpStatusCode.RequestEntityTooLarge)]
    public async Task The_limit_is_exact(int over, HttpStatusCode expected)
    {
        const int limit = 65536;
        await using var host = await WebhookTestHost.StartAsync(DelegateHandler.AllowAll(),
            new Dictionary<string, string?> { ["Webhook:MaxRequestBodyBytes"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var review = AdmissionReviewBuilder.Create().BuildUtf8();
        var body = new byte[limit + over];
        Array.Fill(body, (byte)' ');
        review.CopyTo(body, 0);

        var response = await WebhookTestHost.PostAsync(host.Client, "/validate", body);

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData("throws", "jit-admission could not decide: boom", "error")]
    [InlineData("throws-synchronously", "jit-admission could not decide: sync boom", "error")]
    [InlineData("returns-null", "jit-admission could not decide: the handler returned no verdict", "error")]
    [InlineData("cooperative-slow", "jit-admission could not decide: no decision within 0.3s", "timeout")]
    [InlineData("stubborn-slow", "jit-admission could not decide: no decision within 0.3s", "timeout")]
    public async Task Handler_failures_are_answered_fail_closed_and_the_server_keeps_serving(string behaviour, string message, string outcome)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new DelegateHandler((request, cancellationToken) => request.Name switch
        {
            "throws" => Throw(),
            "throws-synchronously" => throw new InvalidOperationException("sync boom"),
            "returns-null" => ValueTask.FromResult<AdmissionVerdict>(null!),
            "cooperative-slow" => Wait(Task.Delay(Timeout.Infinite, cancellationToken)),
            "stubborn-slow" => Wait(release.Task),
            _ => ValueTask.FromResult(AdmissionVerdict.Allow),
        });
        await using var host = await WebhookTestHost.StartAsync(handler, new Dictionary<string, string?> { ["Webhook:HandlerTimeout"] = "00:00:00.3" });
        var builder = AdmissionReviewBuilder.Create(behaviour);

        var failed = await host.PostAsync("/validate", builder.Build());
        var next = await host.PostAsync("/validate", AdmissionReviewBuilder.Create("fine").Build());
        release.SetResult();

        Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        Assert.Equal(builder.Uid, failed.Uid);
        Assert.False(failed.Allowed);
        Assert.Equal(500, failed.Code);
        Assert.Equal("InternalError", failed.Reason);
        Assert.Equal(message, failed.Message);
        Assert.True(next.Allowed);
        var metrics = await host.Client.GetStringAsync("/metrics");
        Assert.Contains($"jitadmission_admission_requests_total{{endpoint=\"/validate\",operation=\"CREATE\",outcome=\"{outcome}\"}} 1", metrics, StringComparison.Ordinal);

        static async ValueTask<AdmissionVerdict> Throw()
        {
            await Task.Yield();
            throw new InvalidOperationException("boom");
        }

        static async ValueTask<AdmissionVerdict> Wait(Task task)
        {
            await task;
            return AdmissionVerdict.Allow;
        }
    }

    [Fact]
    public async Task A_timed_out_handler_keeps_its_request_bytes_until_it_finishes()
    {
        // The buffer behind a timed-out request must not be recycled for other requests while its handler runs.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lateRead = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new DelegateHandler(async (request, _) =>
        {
            if (request.Name != "late-reader") return AdmissionVerdict.Allow;
            await release.Task;
            lateRead.SetResult(Encoding.UTF8.GetString(request.Object.Utf8.Span));
            return AdmissionVerdict.Allow;
        });
        await using var host = await WebhookTestHost.StartAsync(handler, new Dictionary<string, string?> { ["Webhook:HandlerTimeout"] = "00:00:00.2" });
        var original = AdmissionReviewBuilder.Deployment("late-reader", replicas: 7);

        var timedOut = await host.PostAsync("/validate", AdmissionReviewBuilder.Create("late-reader").WithObject(original).Build());
        for (var i = 0; i < 50; i++)
            await host.PostAsync("/validate", AdmissionReviewBuilder.Create($"other-{i}").WithObject(AdmissionReviewBuilder.Deployment($"zz-{i}", 9)).Build());
        release.SetResult();

        Assert.False(timedOut.Allowed);
        Assert.Equal(original, await lateRead.Task.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task A_handler_that_does_not_look_at_the_object_never_parses_it()
    {
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, RawObject>();
        var handler = DelegateHandler.From(request =>
        {
            seen[request.Name] = request.Object;
            return request.Name == "touch" && request.Object.Element is { ValueKind: JsonValueKind.Object }
                ? AdmissionVerdict.Deny("parsed")
                : AdmissionVerdict.Allow;
        });
        await using var host = await WebhookTestHost.StartAsync(handler);
        var deep = AdmissionReviewReaderTests.Nested(80);

        var untouched = await host.PostAsync("/validate", AdmissionReviewBuilder.Create("no-match").WithObject(deep).Build());
        var touched = await host.PostAsync("/validate", AdmissionReviewBuilder.Create("touch").WithObject(deep).Build());

        Assert.True(untouched.Allowed);
        Assert.False(seen["no-match"].IsParsed);
        Assert.False(touched.Allowed);
        Assert.True(seen["touch"].IsParsed);
    }

    [Fact]
    public async Task Verdict_details_are_encoded_and_patches_only_leave_mutating_paths()
    {
        var patch = """[{"op":"add","path":"/spec/reviews/0/groups","value":["sre"]}]"""u8.ToArray();
        var handler = DelegateHandler.From(_ => new AdmissionVerdict
        {
            Allowed = true,
            Warnings = ["dry run: this change would need approval\n(policy prod-changes)"],
            AuditAnnotations = new Dictionary<string, string> { ["jitadmission.io/request"] = "default/deployments-web-0123456789" },
            JsonPatch = patch,
        });
        await using var host = await WebhookTestHost.StartAsync(handler);
        var body = AdmissionReviewBuilder.Update().Build();

        var mutated = await host.PostAsync("/mutate", body);
        var validated = await host.PostAsync("/validate", body);

        Assert.Equal("JSONPatch", mutated.Response.GetProperty("patchType").GetString());
        Assert.Equal(patch, mutated.Response.GetProperty("patch").GetBytesFromBase64());
        Assert.False(validated.Has("patch"));
        Assert.False(validated.Has("patchType"));
        Assert.Single(host.LogsWithEvent(5));
        foreach (var review in new[] { mutated, validated })
        {
            Assert.Equal(["dry run: this change would need approval (policy prod-changes)"],
                review.Response.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()));
            Assert.Equal("default/deployments-web-0123456789", review.Response.GetProperty("auditAnnotations").GetProperty("request").GetString());
        }
    }

    [Fact]
    public async Task Denials_keep_the_handlers_code_reason_and_message()
    {
        var handler = DelegateHandler.From(_ => AdmissionVerdict.Deny("deployments/web in prod needs approval: kubectl jit approve web-1 -n prod", "hold"));
        await using var host = await WebhookTestHost.StartAsync(handler);

        var review = await host.PostAsync("/validate", AdmissionReviewBuilder.Update().Build());

        Assert.Equal(HttpStatusCode.OK, review.StatusCode);
        Assert.False(review.Allowed);
        Assert.Equal(403, review.Code);
        Assert.Equal("Forbidden", review.Reason);
        Assert.Equal("deployments/web in prod needs approval: kubectl jit approve web-1 -n prod", review.Message);
    }

    [Fact]
    public async Task The_handler_token_fires_at_the_deadline_derived_from_the_api_servers_timeout()
    {
        var cancelledAfter = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new DelegateHandler(async (_, cancellationToken) =>
        {
            var started = TimeProvider.System.GetTimestamp();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                cancelledAfter.SetResult(TimeProvider.System.GetElapsedTime(started));
                throw;
            }

            return AdmissionVerdict.Allow;
        });
        await using var host = await WebhookTestHost.StartAsync(handler, new Dictionary<string, string?> { ["Webhook:TimeoutMargin"] = "00:00:00.7" });

        // The API server's ?timeout=1s minus the 0.7 s margin leaves 0.3 s, far below the 28 s handler timeout.
        var review = await host.PostAsync("/validate?timeout=1s", AdmissionReviewBuilder.Create().Build());

        Assert.Equal("jit-admission could not decide: no decision within 0.3s", review.Message);
        Assert.InRange(await cancelledAfter.Task.WaitAsync(TestTimeout), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Each_decision_is_logged_once_with_its_fields()
    {
        await using var host = await WebhookTestHost.StartAsync(DelegateHandler.From(_ => AdmissionVerdict.Deny("no", "deny")));
        var builder = AdmissionReviewBuilder.Connect("web-0").InNamespace("prod").WithUser("mallory", "dev");

        await host.PostAsync("/validate", builder.Build());

        var entry = Assert.Single(await host.LogsWithEventAsync(1));
        Assert.Equal("/validate", entry.Fields["Endpoint"]);
        Assert.Equal(builder.Uid, entry.Fields["Uid"]);
        Assert.Equal("CONNECT", entry.Fields["Operation"]);
        Assert.Equal("v1/pods/exec", entry.Fields["Resource"]);
        Assert.Equal("prod", entry.Fields["ObjectNamespace"]);
        Assert.Equal("web-0", entry.Fields["ObjectName"]);
        Assert.Equal("mallory", entry.Fields["User"]);
        Assert.Equal("deny", entry.Fields["Outcome"]);
        Assert.Equal(false, entry.Fields["Allowed"]);
        Assert.IsType<double>(entry.Fields["DurationMs"]);
    }

    [Fact]
    public async Task A_plain_allow_is_logged_at_debug_and_an_allow_with_a_policy_at_information()
    {
        await using var host = await WebhookTestHost.StartAsync(DelegateHandler.From(request => request.Name == "gated"
            ? AdmissionVerdict.Allow with { Outcome = "consume", Policies = ["prod"] }
            : AdmissionVerdict.Allow));

        await host.PostAsync("/validate", AdmissionReviewBuilder.Create("routine").Build());
        await host.PostAsync("/validate", AdmissionReviewBuilder.Create("gated").Build());

        var entry = Assert.Single(await host.LogsWithEventAsync(1));
        Assert.Equal("gated", entry.Fields["ObjectName"]);
        Assert.Equal("consume", entry.Fields["Outcome"]);
    }

    [Fact]
    public async Task Many_parallel_requests_on_keep_alive_connections_each_get_their_own_answer()
    {
        const int requests = 400;
        const int connections = 4;
        var handler = DelegateHandler.From(request => new AdmissionVerdict
        {
            Allowed = int.Parse(request.Name.AsSpan(2), provider: System.Globalization.CultureInfo.InvariantCulture) % 2 == 0,
            Message = "odd " + request.Name,
            Warnings = ["seen " + request.Name + " by " + request.UserInfo.Username],
        });
        await using var host = await WebhookTestHost.StartAsync(handler);
        var handshakes = 0;
        var client = host.CreateClient(_ => Interlocked.Increment(ref handshakes), maxConnections: connections);

        var results = await Task.WhenAll(Enumerable.Range(0, requests).Select(async i =>
        {
            var builder = AdmissionReviewBuilder.Update($"p-{i}").WithUser($"user-{i}");
            var review = await WebhookTestHost.PostAsync(client, "/validate", builder.BuildUtf8());
            return (i, builder.Uid, review);
        }));

        Assert.All(results, r =>
        {
            Assert.Equal(r.Uid, r.review.Uid);
            Assert.Equal(r.i % 2 == 0, r.review.Allowed);
            Assert.Equal($"seen p-{r.i} by user-{r.i}", r.review.Response.GetProperty("warnings")[0].GetString());
        });
        Assert.InRange(handshakes, 1, connections);
        Assert.Equal(requests, handler.Calls);
    }

    [Fact]
    public async Task Http2_is_served_as_the_api_server_may_use_it()
    {
        await using var host = await WebhookTestHost.StartAsync(DelegateHandler.AllowAll());
        var builder = AdmissionReviewBuilder.Create();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/validate")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new StringContent(builder.Build(), Encoding.UTF8, "application/json"),
        };

        using var response = await host.Client.SendAsync(request);
        var review = await ReviewResponse.ReadAsync(response);

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(builder.Uid, review.Uid);
        Assert.True(review.Allowed);
    }
}
