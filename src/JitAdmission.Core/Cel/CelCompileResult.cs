using Cel;

namespace JitAdmission.Core.Cel;

/// <summary>A compiled program, or the reason it could not be compiled.</summary>
public sealed class CelCompileResult
{
    private CelCompileResult(CelProgramDelegate? program, string? error)
    {
        Program = program;
        Error = error;
    }

    internal CelProgramDelegate? Program { get; }
    public string? Error { get; }
    public bool Success => Program is not null;

    internal static CelCompileResult Succeeded(CelProgramDelegate program) => new(program, null);
    internal static CelCompileResult Failed(string error) => new(null, error);
}
