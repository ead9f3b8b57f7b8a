using System.Globalization;

namespace JitAdmission.Benchmarks.Orchestration;

/// <summary>A scrape of /metrics: every sample by its full series text (<c>name{labels}</c>).</summary>
public sealed class PrometheusText
{
    private readonly Dictionary<string, double> _samples;

    private PrometheusText(Dictionary<string, double> samples) => _samples = samples;

    public static PrometheusText Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var space = line.LastIndexOf(' ');
            if (space <= 0) continue;
            if (double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                samples[line[..space]] = value;
        }

        return new PrometheusText(samples);
    }

    public double Get(string series) => _samples.GetValueOrDefault(series);

    /// <summary>Samples of a metric whose labels contain all of <paramref name="labels"/> (e.g. <c>endpoint="/validate"</c>).</summary>
    public IEnumerable<(string Series, double Value)> Matching(string name, params string[] labels) =>
        _samples.Where(s => s.Key.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(l => s.Key.Contains(l, StringComparison.Ordinal)))
            .Select(s => (s.Key, s.Value));

    /// <summary>The cumulative histogram of <paramref name="name"/> for the series with <paramref name="label"/>.</summary>
    public Histogram Histogram(string name, string label)
    {
        var buckets = new SortedDictionary<double, double>();
        foreach (var (series, value) in Matching(name + "_bucket", label))
        {
            var le = series[(series.IndexOf("le=\"", StringComparison.Ordinal) + 4)..];
            le = le[..le.IndexOf('"', StringComparison.Ordinal)];
            var bound = le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture);
            buckets[bound] = value;
        }

        var count = Matching(name + "_count", label).Sum(s => s.Value);
        var sum = Matching(name + "_sum", label).Sum(s => s.Value);
        return new Histogram([.. buckets.Keys], [.. buckets.Values], count, sum);
    }
}

/// <summary>A Prometheus histogram (cumulative bucket counts) or the difference of two scrapes of one.</summary>
public sealed record Histogram(double[] Bounds, double[] Cumulative, double Count, double Sum)
{
    public Histogram Minus(Histogram earlier) => Combined(earlier, -1);

    /// <summary>Both histograms' observations together (same buckets).</summary>
    public Histogram Plus(Histogram other) => Combined(other, 1);

    private Histogram Combined(Histogram other, double sign)
    {
        ArgumentNullException.ThrowIfNull(other);
        var cumulative = new double[Bounds.Length];
        for (var i = 0; i < Bounds.Length; i++)
        {
            var j = Array.IndexOf(other.Bounds, Bounds[i]);
            cumulative[i] = Cumulative[i] + sign * (j >= 0 ? other.Cumulative[j] : 0);
        }

        return new Histogram(Bounds, cumulative, Count + sign * other.Count, Sum + sign * other.Sum);
    }

    public double Mean => Count == 0 ? double.NaN : Sum / Count;

    /// <summary>The upper bound of the bucket the q-quantile falls in: a guaranteed "at most".</summary>
    public double UpperBound(double q)
    {
        if (Count == 0) return double.NaN;
        var rank = q * Count;
        for (var i = 0; i < Bounds.Length; i++)
            if (Cumulative[i] >= rank) return Bounds[i];
        return double.PositiveInfinity;
    }

    /// <summary>The q-quantile interpolated linearly inside its bucket, as PromQL's histogram_quantile does.</summary>
    public double Quantile(double q)
    {
        if (Count == 0) return double.NaN;
        var rank = q * Count;
        for (var i = 0; i < Bounds.Length; i++)
        {
            if (Cumulative[i] < rank) continue;
            var lower = i == 0 ? 0 : Bounds[i - 1];
            var below = i == 0 ? 0 : Cumulative[i - 1];
            if (double.IsPositiveInfinity(Bounds[i])) return lower;
            var inBucket = Cumulative[i] - below;
            return inBucket <= 0 ? Bounds[i] : lower + (Bounds[i] - lower) * (rank - below) / inBucket;
        }

        return double.PositiveInfinity;
    }
}
