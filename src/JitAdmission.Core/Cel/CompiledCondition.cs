using Cel;

namespace JitAdmission.Core.Cel;

/// <summary>A policy condition compiled once per policy generation (identical conditions share the program).</summary>
public sealed class CompiledCondition
{
    private readonly CelProgramDelegate? _program;

    private CompiledCondition(string name, string expression, CelProgramDelegate? program, string? error)
    {
        Name = name;
        Expression = expression;
        _program = program;
        Error = error;
    }

    public string Name { get; }
    public string Expression { get; }
    /// <summary>The compile error; null when the condition compiled.</summary>
    public string? Error { get; }

    public static CompiledCondition Compile(PolicyCondition condition, IReadOnlySet<string> contextNames)
    {
        var result = SharedPrograms.Compile(condition.Expression, contextNames);
        return new CompiledCondition(condition.Name, condition.Expression, result.Program, result.Error);
    }

    /// <summary>Runs the condition. Never throws: evaluation errors and non-bool results are <see cref="ConditionOutcome.Error"/>.</summary>
    public ConditionResult Evaluate(IDictionary<string, object?> variables)
    {
        if (_program is null) return new ConditionResult(ConditionOutcome.Error, $"condition '{Name}' does not compile: {Error}");
        object? value;
        try
        {
            value = _program(variables);
        }
        catch (Exception ex)
        {
            return new ConditionResult(ConditionOutcome.Error, $"condition '{Name}' failed: {Describe(ex)}");
        }

        return value switch
        {
            true => new ConditionResult(ConditionOutcome.True, ""),
            false => new ConditionResult(ConditionOutcome.False, $"condition '{Name}' is false"),
            null => new ConditionResult(ConditionOutcome.Error, $"condition '{Name}' returned null, not a bool"),
            _ => new ConditionResult(ConditionOutcome.Error, $"condition '{Name}' returned {TypeName(value)}, not a bool"),
        };
    }

    private static string Describe(Exception ex) => ex switch
    {
        System.Text.Json.JsonException => "the object is not valid JSON: " + ex.Message,
        CelException => ex.Message,
        _ => $"{ex.GetType().Name}: {ex.Message}",
    };

    private static string TypeName(object value) => value switch
    {
        string => "a string",
        long or ulong or int => "an int",
        double => "a double",
        object?[] => "a list",
        IDictionary<string, object?> => "a map",
        _ => value.GetType().Name,
    };
}
