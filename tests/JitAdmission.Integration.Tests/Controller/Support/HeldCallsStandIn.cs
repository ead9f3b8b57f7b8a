using System.Collections.Concurrent;
using JitAdmission.Core.Approval;

namespace JitAdmission.Integration.Tests.Controller.Support;

/// <summary>Says which requests a call in this process is held on, as the webhook's waiters would.</summary>
public sealed class HeldCallsStandIn : IHeldCalls
{
    private readonly ConcurrentDictionary<string, bool> _held = new(StringComparer.Ordinal);

    public void Hold(string @namespace, string name) => _held[@namespace + "/" + name] = true;

    public bool AnyFor(string @namespace, string name) => _held.ContainsKey(@namespace + "/" + name);
}
