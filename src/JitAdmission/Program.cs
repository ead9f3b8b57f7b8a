using JitAdmission.Controller;
using JitAdmission.Controller.WebhookConfiguration;
using JitAdmission.Core.Api;
using JitAdmission.Hosting;
using JitAdmission.Webhook;
using JitAdmission.Webhook.Gating;
using JitAdmission.Webhook.Guard;
using Prometheus;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(CommandLineSwitches.Usage);
    return 0;
}

// Before anything serializes: the options it joins freeze on first use.
KubernetesJsonMetadata.Register();

// appsettings.json sits next to the binary, wherever it is started from.
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddCommandLine(args, CommandLineSwitches.Mappings);
// First, before anything can open a socket: .NET fixes its socket mode with the first one.
var inlineIo = InlineIo.Apply(builder.WebHost, builder.Configuration);

// Shared by both roles: API client, identity, caches, compiled policies, certificates, Events, leadership.
builder.Services.AddJitRuntime(builder.Configuration);
// /metrics also carries process and GC figures (resident memory, CPU, collections); .NET's event counters and meters
// stay off: they would add work to every admission request.
Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressEventCounters = true, SuppressMeters = true, SuppressDebugMetrics = true });
builder.Services.AddSingleton(Metrics.DefaultRegistry);
// Every replica: the HTTPS admission transport and its decision handlers.
builder.Services.AddAdmissionWebhook(builder.Configuration);
builder.Services.AddJitAdmissionHandlers(builder.Configuration);
// The elected leader: reconcilers, notifications, and the webhook configurations.
builder.Services.AddJitController(builder.Configuration);
builder.Services.AddWebhookConfigurationOwner(builder.Configuration);
builder.WebHost.UseAdmissionHttps();

var app = builder.Build();
var hostLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("JitAdmission.Hosting");
HostLog.GarbageCollector(hostLogger);
HostLog.RequestThreads(hostLogger, inlineIo);
HostLog.Gate(hostLogger, app.Services.GetRequiredService<IOptions<GateOptions>>().Value, app.Services.GetRequiredService<IOptions<WebhookOptions>>().Value);
app.MapAdmissionEndpoints(a => a
    .Validating<GateHandler>(WebhookNames.GatePath)
    .Validating<GuardHandler>(WebhookNames.GuardPath)
    .Mutating<StampHandler>(WebhookNames.StampPath));
await app.RunAsync();
return 0;
