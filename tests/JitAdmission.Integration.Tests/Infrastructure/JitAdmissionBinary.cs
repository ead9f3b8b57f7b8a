using System.Diagnostics;

namespace JitAdmission.Integration.Tests.Infrastructure;

/// <summary>
/// Which jit-admission the tests start: $JIT_ADMISSION_BINARY (the Native AOT executable that ships, or any .dll),
/// else the build next to the tests, run with dotnet. `make test` points it at the AOT build.
/// </summary>
public static class JitAdmissionBinary
{
    public const string Variable = "JIT_ADMISSION_BINARY";

    public static string Path =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured
            ? System.IO.Path.GetFullPath(configured)
            : System.IO.Path.Combine(AppContext.BaseDirectory, "jit-admission.dll");

    /// <summary>The Native AOT executable (not a .dll run with dotnet): settings compiled into it apply.</summary>
    public static bool IsNative => !IsDll(Path);

    /// <summary>A start description for the binary with <paramref name="args"/>; output redirected, no shell.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var path = Path;
        if (!File.Exists(path)) throw new FileNotFoundException($"jit-admission is not built at {path} (${Variable})", path);
        var dll = IsDll(path);
        var psi = new ProcessStartInfo(dll ? "dotnet" : path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (dll) psi.ArgumentList.Add(path);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_NOLOGO"] = "1";
        return psi;
    }

    private static bool IsDll(string path) => path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
}
