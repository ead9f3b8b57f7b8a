using JitAdmission.Core.Matching;

namespace JitAdmission.Core.Tests.Matching;

public class GlobTests
{
    [Theory]
    [InlineData("prod", "prod", true)]
    [InlineData("prod", "prod2", false)]
    [InlineData("prod", "Prod", false)]
    [InlineData("prod-*", "prod-eu", true)]
    [InlineData("prod-*", "prod-", true)]
    [InlineData("prod-*", "prod", false)]
    [InlineData("*", "", true)]
    [InlineData("*", "anything", true)]
    [InlineData("", "", true)]
    [InlineData("", "x", false)]
    [InlineData("?", "", false)]
    [InlineData("?", "a", true)]
    [InlineData("team-??", "team-ab", true)]
    [InlineData("team-??", "team-abc", false)]
    [InlineData("*-db-*", "eu-db-1", true)]
    [InlineData("*-db-*", "eu-db", false)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYYcZ", false)]
    [InlineData("a*b*c", "abcbc", true)]
    [InlineData("**", "x", true)]
    [InlineData("*a", "bbba", true)]
    [InlineData("system:serviceaccount:*:deployer", "system:serviceaccount:ci:deployer", true)]
    [InlineData("system:serviceaccount:*:deployer", "system:serviceaccount:ci:builder", false)]
    public void Matches_as_a_shell_glob(string pattern, string value, bool expected) =>
        Assert.Equal(expected, Glob.IsMatch(pattern, value));

    [Theory]
    [InlineData("prod-db-*", "prod-db-", true)]
    [InlineData("prod-db-*", "prod-d", true)]
    [InlineData("prod-db-*", "prod-web-", false)]
    [InlineData("prod-db", "prod-", true)]
    [InlineData("prod-db", "prod-dbx", false)]
    [InlineData("*-db", "web-", true)]
    [InlineData("web-?", "web-", true)]
    [InlineData("db", "web-", false)]
    public void Can_tell_whether_a_generated_name_with_a_prefix_could_match(string pattern, string prefix, bool expected) =>
        Assert.Equal(expected, Glob.CanMatchWithPrefix(pattern, prefix));

    [Fact]
    public void Matching_agrees_with_a_regex_translation_on_every_short_input()
    {
        string[] patterns = ["*", "?", "a*", "*a", "a?b", "*a*b*", "ab*ba", "a??*", "?*?", "b*a*b"];
        var alphabet = new[] { 'a', 'b' };
        var values = new List<string> { "" };
        for (var length = 1; length <= 6; length++)
        {
            values.AddRange(values.Where(v => v.Length == length - 1).SelectMany(v => alphabet.Select(c => v + c)).ToList());
        }

        foreach (var pattern in patterns)
        {
            var regex = new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$");
            foreach (var value in values)
            {
                Assert.True(regex.IsMatch(value) == Glob.IsMatch(pattern, value), $"{pattern} vs {value}");
                // Patterns have at most four literal characters, so suffixes up to six characters decide it.
                var prefixExpected = values.Any(suffix => regex.IsMatch(value + suffix));
                Assert.True(prefixExpected == Glob.CanMatchWithPrefix(pattern, value), $"prefix {pattern} vs {value}");
            }
        }
    }
}
