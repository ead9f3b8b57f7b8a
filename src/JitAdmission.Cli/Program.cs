using JitAdmission.Cli.CommandLine;

return await JitCli.RunAsync(args, CliContext.System());
