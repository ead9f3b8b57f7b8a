using System.Globalization;
using System.Text;
using System.Text.Json;
using JitAdmission.Core.Admission;
using JitAdmission.Webhook.Review;

namespace JitAdmission.Webhook.Tests.Review;

/// <summary>
/// The one-pass AdmissionReview reader against System.Text.Json's DOM (<see cref="ReferenceReview"/>), on generated and
/// mutated reviews: the same content, or a clean refusal (the transport's 400), never an exception. A fixed number of
/// cases from a fixed seed, so a failure reproduces; <c>JIT_FUZZ_CASES</c> and <c>JIT_FUZZ_SEED</c> run more
/// (<c>make fuzz</c> does).
/// </summary>
public sealed class AdmissionReviewReaderDifferentialTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : fallback;

    private static readonly JsonDocumentOptions Unlimited = new() { MaxDepth = 10_000 };

    [Fact]
    public void Agrees_with_System_Text_Json_or_refuses_cleanly()
    {
        var cases = Setting("JIT_FUZZ_CASES", 20_000);
        var seed = Setting("JIT_FUZZ_SEED", 20261207);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < cases; i++)
        {
            var body = new ReviewFuzz(seed + i).Next();
            var outcome = Check(body, $"seed {seed + i}");
            seen[outcome] = seen.GetValueOrDefault(outcome) + 1;
        }

        output.WriteLine($"{cases} cases from seed {seed}: {string.Join(", ", seen.OrderByDescending(s => s.Value).Select(s => $"{s.Key} {s.Value}"))}");
        // The generator reaches every kind of case, so the properties above were exercised, not assumed.
        foreach (var kind in new[] { "accepted", "refused", "not JSON, refused", "not JSON inside a sliced object, fails when read", "a read field repeated, refused",
                     "accepted, a key repeated where the reader does not look", "too deep" })
            Assert.True(seen.GetValueOrDefault(kind) > 0, $"no case was \"{kind}\": {string.Join(", ", seen)}");
    }

    private static string Check(byte[] body, string name)
    {
        bool ok;
        AdmissionAttributes? read;
        AdmissionReviewError? error;
        try
        {
            ok = AdmissionReviewReader.TryRead(body, out read, out error);
        }
        catch (Exception e)
        {
            Assert.Fail($"{name}: the reader threw {e}\n{Show(body)}");
            throw;
        }

        if (!ok) Assert.False(string.IsNullOrEmpty(error!.Message), $"{name}: a refusal without a reason");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, Unlimited);
        }
        catch (JsonException)
        {
            if (!ok) return "not JSON, refused";
            // Objects are sliced by their brackets, not tokenized: the flaw must be inside one, and reading it fails.
            Assert.True(FailsWhenParsed(read!), $"{name}: accepted a body System.Text.Json refuses, and every object parses\n{Show(body)}");
            return "not JSON inside a sliced object, fails when read";
        }

        using (document)
        {
            var root = document.RootElement;
            var depth = ReferenceReview.Depth(root);
            if (depth > 150)
            {
                Assert.False(ok, $"{name}: accepted a review nested {depth} deep\n{Show(body)}");
                return "too deep";
            }

            bool repeatsReadField, repeatsElsewhere;
            try
            {
                repeatsReadField = ReferenceReview.RepeatsAReadField(root);
                repeatsElsewhere = ReferenceReview.HasDuplicateKeys(root);
            }
            catch (InvalidOperationException)
            {
                // A property name that is not UTF-8 (System.Text.Json finds out only when it decodes it). The API server
                // never sends one; the reader matches names as bytes, so such a name is just an unknown field.
                Assert.Equal(ok, AdmissionReviewReader.TryRead(body, out _, out _));
                return "a name that is not UTF-8";
            }

            if (repeatsReadField)
            {
                // Only a forged review repeats a field; which copy counts is not guessed.
                Assert.False(ok, $"{name}: accepted a review that gives a field it reads twice\n{Show(body)}");
                return "a read field repeated, refused";
            }

            if (depth > 100) return "near the depth limit";
            var expected = ReferenceReview.Read(root);
            if (expected is null)
            {
                Assert.False(ok, $"{name}: accepted a review the reference refuses\n{Show(body)}");
                return "refused";
            }

            Assert.True(ok, $"{name}: refused a valid review: {error?.Message}\n{Show(body)}");
            Assert.Equal(expected, ReviewSnapshot.Of(read!));
            return repeatsElsewhere ? "accepted, a key repeated where the reader does not look" : "accepted";
        }
    }

    private static bool FailsWhenParsed(AdmissionAttributes read)
    {
        foreach (var raw in new[] { read.Object, read.OldObject, read.Options })
        {
            try
            {
                _ = raw.Element;
            }
            catch (JsonException)
            {
                return true;
            }
        }

        return false;
    }

    private static string Show(byte[] body) =>
        body.Length <= 4000 ? Encoding.UTF8.GetString(body) : Encoding.UTF8.GetString(body, 0, 4000) + "…";
}
