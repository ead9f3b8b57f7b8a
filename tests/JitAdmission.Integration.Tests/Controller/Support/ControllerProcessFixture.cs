using JitAdmission.Integration.Tests.Crds;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Integration.Tests.Infrastructure.Receivers;
using k8s;

namespace JitAdmission.Integration.Tests.Controller.Support;

/// <summary>
/// A sandbox API server with the CRDs, a notification receiver that refuses the first two POSTs per path, and the
/// real jit-admission binary with a short retention and fast notification retries, shared by one test class.
/// </summary>
public sealed class ControllerProcessFixture : IAsyncLifetime
{
    public static readonly TimeSpan Retention = TimeSpan.FromSeconds(6);

    public KubeSandbox Sandbox { get; } = new();
    public NotificationReceiver Receiver { get; private set; } = null!;
    public JitAdmissionProcess Jit { get; private set; } = null!;
    public IKubernetes Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Sandbox.InitializeAsync();
        await CrdInstallation.EnsureAsync(Sandbox);
        Admin = Sandbox.AdminClient();
        Receiver = await NotificationReceiver.StartAsync(failFirst: 2);
        Jit = await JitAdmissionProcess.StartAsync(Sandbox.AdminKubeconfig, "jit-system",
            ["--retention", Retention.ToString("c", System.Globalization.CultureInfo.InvariantCulture), "--Notifications:InitialBackoff=00:00:00.200"]);
    }

    public async Task DisposeAsync()
    {
        if (Jit is not null) await Jit.DisposeAsync();
        if (Receiver is not null) await Receiver.DisposeAsync();
        Admin?.Dispose();
        await Sandbox.DisposeAsync();
    }

    /// <summary>Runs a step and, when it fails, adds the end of jit-admission's log to the failure.</summary>
    public async Task<T> WithLogAsync<T>(Func<Task<T>> step)
    {
        try
        {
            return await step();
        }
        catch (Exception e) when (e is TimeoutException or Xunit.Sdk.XunitException)
        {
            var log = Jit.Output;
            throw new InvalidOperationException($"{e.Message}\n--- jit-admission log (tail) ---\n{log[Math.Max(0, log.Length - 6000)..]}", e);
        }
    }
}
