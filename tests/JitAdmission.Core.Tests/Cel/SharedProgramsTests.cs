using System.Runtime.CompilerServices;
using JitAdmission.Core.Api;
using JitAdmission.Core.Cel;

namespace JitAdmission.Core.Tests.Cel;

public class SharedProgramsTests
{
    [Fact]
    public void The_same_expression_and_context_names_share_one_compiled_program()
    {
        var expression = $"object.spec.replicas > {Unique()}";
        var first = SharedPrograms.Compile(expression, new HashSet<string> { "freeze", "incident" });
        var second = SharedPrograms.Compile(expression, new HashSet<string> { "incident", "freeze" });

        Assert.True(first.Success);
        Assert.Same(first, second);
        Assert.NotSame(first, SharedPrograms.Compile(expression, new HashSet<string>()));
    }

    [Fact]
    public void Context_names_are_part_of_the_key_so_a_reference_compiles_only_where_it_is_declared()
    {
        var expression = $"context.incident.data.open == '{Unique()}'";

        Assert.True(SharedPrograms.Compile(expression, new HashSet<string> { "incident" }).Success);
        Assert.Contains("incident", SharedPrograms.Compile(expression, new HashSet<string>()).Error, StringComparison.Ordinal);
        Assert.True(SharedPrograms.Compile(expression, new HashSet<string> { "incident" }).Success);
    }

    [Fact]
    public void No_expression_text_can_pose_as_context_names_plus_another_expression()
    {
        var expression = $"context.incident.data.open == '{Unique()}'";
        var declared = SharedPrograms.Compile(expression, new HashSet<string> { "incident" });
        var posing = SharedPrograms.Compile("incident\0" + expression, new HashSet<string>());

        Assert.True(declared.Success);
        Assert.False(posing.Success);
    }

    [Fact]
    public void Compile_errors_are_shared_like_programs()
    {
        var expression = $"object.spec.replicas > {Unique()} &&";
        var first = SharedPrograms.Compile(expression, new HashSet<string>());

        Assert.False(first.Success);
        Assert.Same(first, SharedPrograms.Compile(expression, new HashSet<string>()));
    }

    [Fact]
    public void A_program_no_condition_holds_any_more_is_not_kept_alive_by_the_cache()
    {
        var expression = $"object.spec.replicas < {Unique()}";
        var weak = CompileAndDrop(expression);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(weak.TryGetTarget(out _));
        Assert.True(SharedPrograms.Compile(expression, new HashSet<string>()).Success);
    }

    [Fact]
    public void Conditions_sharing_a_program_evaluate_independently_with_their_own_names()
    {
        var expression = $"object.spec.replicas > {Unique()}";
        var a = CompiledCondition.Compile(new PolicyCondition { Name = "a", Expression = expression }, new HashSet<string>());
        var b = CompiledCondition.Compile(new PolicyCondition { Name = "b", Expression = expression }, new HashSet<string>());
        var variables = new Dictionary<string, object?> { ["object"] = new Dictionary<string, object?> { ["spec"] = new Dictionary<string, object?> { ["replicas"] = 0L } } };

        Assert.Equal("condition 'a' is false", a.Evaluate(variables).Message);
        Assert.Equal("condition 'b' is false", b.Evaluate(variables).Message);
    }

    // Unique expressions keep these tests independent of every other test compiling conditions in parallel.
    private static long Unique() => Interlocked.Increment(ref _counter) + 1_000_000;

    private static long _counter;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference<CelCompileResult> CompileAndDrop(string expression) =>
        new(SharedPrograms.Compile(expression, new HashSet<string>()));
}
