using JitAdmission.Cli.CommandLine;
using JitAdmission.Core.Api;

// Before anything serializes (KubernetesClient.Aot knows our API types only through this).
KubernetesJsonMetadata.Register();
return await JitCli.RunAsync(args, CliContext.System());
