namespace JitAdmission.Core.Validation;

/// <summary>Collects "field.path: message" errors, the form kubectl users see when a policy is rejected.</summary>
internal sealed class ValidationErrors
{
    private readonly List<string> _errors = [];

    public IReadOnlyList<string> All => _errors;

    public int Count => _errors.Count;

    public void Add(string path, string message) => _errors.Add($"{path}: {message}");

    /// <summary>Errors already in "path: message" form.</summary>
    public void AddRange(IEnumerable<string> formatted) => _errors.AddRange(formatted);
}
