using System.Net;
using JitAdmission.Core.Admission;
using JitAdmission.Webhook.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace JitAdmission.Webhook.Tests;

/// <summary>The composition root's view: handlers from DI mapped to /validate, /guard and /mutate.</summary>
public sealed class EndpointMappingTests
{
    private sealed class GateHandler : IAdmissionHandler
    {
        public ValueTask<AdmissionVerdict> HandleAsync(AdmissionAttributes request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(AdmissionVerdict.Deny("gate", "deny"));
    }

    private sealed class GuardHandler : IAdmissionHandler
    {
        public ValueTask<AdmissionVerdict> HandleAsync(AdmissionAttributes request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(AdmissionVerdict.Deny("guard", "deny"));
    }

    private sealed class StampHandler : IAdmissionHandler
    {
        public ValueTask<AdmissionVerdict> HandleAsync(AdmissionAttributes request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(AdmissionVerdict.Allow with { JsonPatch = "[]"u8.ToArray() });
    }

    [Theory]
    [InlineData("/validate", false, "gate")]
    [InlineData("/guard", false, "guard")]
    [InlineData("/mutate", true, null)]
    public async Task Each_path_reaches_its_own_handler(string path, bool allowed, string? message)
    {
        await using var host = await WebhookTestHost.StartAsync(DelegateHandler.AllowAll(),
            services: s => s.AddSingleton<GateHandler>().AddSingleton<GuardHandler>().AddSingleton<StampHandler>(),
            map: m => m.Validating<GateHandler>("/validate").Validating<GuardHandler>("/guard").Mutating<StampHandler>("/mutate"));

        var review = await host.PostAsync(path, AdmissionReviewBuilder.Create().Build());

        Assert.Equal(allowed, review.Allowed);
        if (message is not null) Assert.Equal(message, review.Message);
        else Assert.Equal("JSONPatch", review.Response.GetProperty("patchType").GetString());
    }

    [Fact]
    public async Task Unmapped_paths_are_not_found()
    {
        await using var host = await WebhookTestHost.StartAsync(DelegateHandler.AllowAll());

        using var response = await host.Client.PostAsync("/elsewhere", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
