using Microsoft.Extensions.Configuration;

namespace JitAdmission.Webhook.Tests;

/// <summary>Webhook:InlineIo is read before the host exists, outside options binding: its parsing is checked here.</summary>
public sealed class InlineIoTests
{
    private static IConfiguration With(string? value) => new ConfigurationBuilder()
        .AddInMemoryCollection(value is null ? [] : [new KeyValuePair<string, string?>("Webhook:InlineIo", value)])
        .Build();

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("true", true)]
    [InlineData(" True ", true)]
    [InlineData("false", false)]
    [InlineData("FALSE", false)]
    public void It_is_on_unless_set_to_false(string? value, bool expected) =>
        Assert.Equal(expected, InlineIo.IsEnabled(With(value)));

    [Fact]
    public void Anything_but_a_boolean_is_refused_with_the_key_and_the_value()
    {
        var e = Assert.Throws<InvalidOperationException>(() => InlineIo.IsEnabled(With("sometimes")));

        Assert.Equal("Webhook:InlineIo: \"sometimes\" is not true or false", e.Message);
    }
}
