using JitAdmission.Core.Admission;

namespace JitAdmission.Webhook.Tests.Infrastructure;

/// <summary>A handler made from a function, counting its calls.</summary>
public sealed class DelegateHandler(Func<AdmissionAttributes, CancellationToken, ValueTask<AdmissionVerdict>> decide) : IAdmissionHandler
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public static DelegateHandler AllowAll() => new((_, _) => ValueTask.FromResult(AdmissionVerdict.Allow));

    public static DelegateHandler From(Func<AdmissionAttributes, AdmissionVerdict> decide) =>
        new((request, _) => ValueTask.FromResult(decide(request)));

    public ValueTask<AdmissionVerdict> HandleAsync(AdmissionAttributes request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return decide(request, cancellationToken);
    }
}
