using System.Net;

namespace JitAdmission.Controller.Tests.Support;

/// <summary>An HTTP handler that answers each POST from a script (by attempt number, from 1) and records what it got.</summary>
public sealed class ScriptedHandler(Func<int, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
{
    private readonly List<(Uri Url, string Body)> _received = [];

    public int Attempts
    {
        get
        {
            lock (_received) return _received.Count;
        }
    }

    public IReadOnlyList<(Uri Url, string Body)> Received
    {
        get
        {
            lock (_received) return [.. _received];
        }
    }

    public static ScriptedHandler FailingFirst(int failures, HttpStatusCode failure = HttpStatusCode.InternalServerError) =>
        new((attempt, _) => Task.FromResult(new HttpResponseMessage(attempt <= failures ? failure : HttpStatusCode.OK)));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        int attempt;
        lock (_received)
        {
            _received.Add((request.RequestUri!, body));
            attempt = _received.Count;
        }

        return await answer(attempt, cancellationToken);
    }
}
