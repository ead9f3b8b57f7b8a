// Before anything serializes (KubernetesClient.Aot knows our API types only through this).
KubernetesJsonMetadata.Register();
return await JitCli.RunAsync(args, CliContext.System());
