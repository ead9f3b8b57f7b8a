using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace JitAdmission.Webhook.Tests.Monitoring;

public enum PromQlTokenKind
{
    Identifier,
    Number,
    Duration,
    String,
    Operator,
    End,
}

public sealed record PromQlToken(PromQlTokenKind Kind, string Text, int Position, double Number = 0, TimeSpan Duration = default);

/// <summary>PromQL's tokens: identifiers (metric names may hold ':', though not first: a subquery's colon follows a duration), numbers, durations (1h30m), three kinds of string, operators.</summary>
public static partial class PromQlLexer
{
    private static readonly string[] Operators =
        ["==", "!=", "=~", "!~", "<=", ">=", "(", ")", "{", "}", "[", "]", ",", ":", "=", "<", ">", "+", "-", "*", "/", "%", "^", "@"];

    [GeneratedRegex(@"\G(?:[0-9]+(?:ms|s|m|h|d|w|y))+(?![a-zA-Z0-9_])")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"\G(?:0[xX][0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)(?![a-zA-Z0-9_.])")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"\G[a-zA-Z_][a-zA-Z0-9_:]*")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex("([0-9]+)(ms|s|m|h|d|w|y)")]
    private static partial Regex DurationPart();

    public static List<PromQlToken> Tokenize(string text)
    {
        var tokens = new List<PromQlToken>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && (char.IsWhiteSpace(text[i]) || text[i] == '#'))
            {
                if (text[i] == '#') while (i < text.Length && text[i] != '\n') i++;
                else i++;
            }

            if (i >= text.Length)
            {
                tokens.Add(new PromQlToken(PromQlTokenKind.End, "", i));
                return tokens;
            }

            var c = text[i];
            if (c is '"' or '\'' or '`')
            {
                var (value, next) = ReadString(text, i);
                tokens.Add(new PromQlToken(PromQlTokenKind.String, value, i));
                i = next;
                continue;
            }

            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                var duration = DurationPattern().Match(text, i);
                if (duration.Success)
                {
                    tokens.Add(new PromQlToken(PromQlTokenKind.Duration, duration.Value, i, Duration: ParseDuration(duration.Value, i)));
                    i += duration.Length;
                    continue;
                }

                var number = NumberPattern().Match(text, i);
                if (!number.Success) throw new PromQlException($"malformed number at {i}", i);
                var parsed = number.Value.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                    ? long.Parse(number.Value[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
                    : double.Parse(number.Value, NumberStyles.Float, CultureInfo.InvariantCulture);
                tokens.Add(new PromQlToken(PromQlTokenKind.Number, number.Value, i, Number: parsed));
                i += number.Length;
                continue;
            }

            var identifier = IdentifierPattern().Match(text, i);
            if (identifier.Success)
            {
                tokens.Add(new PromQlToken(PromQlTokenKind.Identifier, identifier.Value, i));
                i += identifier.Length;
                continue;
            }

            var op = Operators.FirstOrDefault(o => string.CompareOrdinal(text, i, o, 0, o.Length) == 0)
                ?? throw new PromQlException($"unexpected character '{c}' at {i}", i);
            tokens.Add(new PromQlToken(PromQlTokenKind.Operator, op, i));
            i += op.Length;
        }
    }

    private static TimeSpan ParseDuration(string text, int position)
    {
        var total = TimeSpan.Zero;
        var lastUnit = TimeSpan.MaxValue;
        foreach (Match part in DurationPart().Matches(text))
        {
            var unit = part.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(1),
                "s" => TimeSpan.FromSeconds(1),
                "m" => TimeSpan.FromMinutes(1),
                "h" => TimeSpan.FromHours(1),
                "d" => TimeSpan.FromDays(1),
                "w" => TimeSpan.FromDays(7),
                _ => TimeSpan.FromDays(365),
            };
            // Prometheus wants units from largest to smallest, each at most once: 1h30m, not 30m1h.
            if (unit >= lastUnit) throw new PromQlException($"units out of order in duration '{text}' at {position}", position);
            lastUnit = unit;
            total += unit * long.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
        }

        if (total <= TimeSpan.Zero) throw new PromQlException($"duration '{text}' at {position} must be positive", position);
        return total;
    }

    private static (string Value, int Next) ReadString(string text, int start)
    {
        var quote = text[start];
        var value = new StringBuilder();
        var i = start + 1;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == quote) return (value.ToString(), i + 1);
            if (quote != '`' && c == '\n') break;
            if (quote != '`' && c == '\\')
            {
                if (i + 1 >= text.Length) break;
                var escaped = text[i + 1];
                value.Append(escaped switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'a' => '\a',
                    'b' => '\b',
                    'f' => '\f',
                    'v' => '\v',
                    '\\' or '"' or '\'' => escaped,
                    _ => throw new PromQlException($"unknown escape sequence '\\{escaped}' at {i}", i),
                });
                i += 2;
                continue;
            }

            value.Append(c);
            i++;
        }

        throw new PromQlException($"unterminated string starting at {start}", start);
    }
}

public sealed class PromQlException(string message, int position) : Exception(message)
{
    public int Position { get; } = position;
}
