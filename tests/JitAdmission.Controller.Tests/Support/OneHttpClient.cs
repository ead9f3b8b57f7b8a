namespace JitAdmission.Controller.Tests.Support;

/// <summary>An <see cref="IHttpClientFactory"/> that hands out one client, whatever the name asked for.</summary>
public sealed class OneHttpClient(HttpClient client) : IHttpClientFactory
{
    public HttpClient CreateClient(string name) => client;
}
