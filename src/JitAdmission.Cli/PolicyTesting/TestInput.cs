namespace JitAdmission.Cli.PolicyTesting;

/// <summary>
/// Bad input to <c>kubectl jit test</c> (an unreadable file, an invalid policy, a case that says nothing): exit 2, apart
/// from the 1 of a case that ran and failed, so CI can tell "the policies changed behaviour" from "the tests are broken".
/// </summary>
internal static class TestInput
{
    public static CliException Error(string message) => new(message, ExitCodes.Usage);
}
