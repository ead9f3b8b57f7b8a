namespace JitAdmission.Webhook;

/// <summary>The admission paths of <see cref="AdmissionEndpointRouteBuilderExtensions.MapAdmissionEndpoints"/>.</summary>
public sealed class AdmissionEndpointMap
{
    private readonly Microsoft.AspNetCore.Routing.IEndpointRouteBuilder _endpoints;

    internal AdmissionEndpointMap(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder endpoints) => _endpoints = endpoints;

    /// <summary>A validating path answered by the <typeparamref name="THandler"/> singleton from DI.</summary>
    public AdmissionEndpointMap Validating<THandler>(string path)
        where THandler : IAdmissionHandler =>
        Add(path, _endpoints.ServiceProvider.GetRequiredService<THandler>(), AdmissionEndpointKind.Validating);

    /// <summary>A mutating path (may answer with a JSON patch) answered by the <typeparamref name="THandler"/> singleton.</summary>
    public AdmissionEndpointMap Mutating<THandler>(string path)
        where THandler : IAdmissionHandler =>
        Add(path, _endpoints.ServiceProvider.GetRequiredService<THandler>(), AdmissionEndpointKind.Mutating);

    public AdmissionEndpointMap Add(string path, IAdmissionHandler handler, AdmissionEndpointKind kind)
    {
        _endpoints.MapAdmission(path, handler, kind);
        return this;
    }
}
