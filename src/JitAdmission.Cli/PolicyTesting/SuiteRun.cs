namespace JitAdmission.Cli.PolicyTesting;

/// <summary>One case run: its result and where that differs from the expectation.</summary>
internal sealed record CaseRun(PolicyTestCase Case, CaseResult Result, IReadOnlyList<Difference> Differences)
{
    public bool Passed => Differences.Count == 0;
}

/// <summary>Every case of one test file, run.</summary>
internal sealed record SuiteRun(PolicyTestSuite Suite, IReadOnlyList<CaseRun> Cases)
{
    public int Passed => Cases.Count(c => c.Passed);

    public int Failed => Cases.Count(c => !c.Passed);

    public static SuiteRun Of(PolicyTestSuite suite)
    {
        ArgumentNullException.ThrowIfNull(suite);
        return new SuiteRun(suite, [.. suite.Cases.Select(c =>
        {
            var result = CaseRunner.Run(suite.Policies, c);
            return new CaseRun(c, result, ExpectationCheck.Compare(c.Expect, result));
        })]);
    }
}
