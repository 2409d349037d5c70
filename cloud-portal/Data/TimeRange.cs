using System.Globalization;

namespace FogLens.CloudPortal.Data;

/// <summary>
/// The time range a page shows: a preset relative to now (<c>?range=24h</c>) or a fixed custom range
/// (<c>?from=2026-12-01T06:00:00Z&amp;to=2026-12-01T12:00:00Z</c>), so that a link shows the same view. It also chooses
/// the bucket of the trend charts: the smallest of <see cref="BucketLadder"/> that keeps the range within
/// <see cref="MaxBuckets"/> buckets.
/// </summary>
public sealed record TimeRange
{
    /// <summary>Most buckets a trend chart draws (a bar or point stays wide enough to see and to point at).</summary>
    public const int MaxBuckets = 60;

    public const string DefaultPreset = "1h";

    /// <summary>The presets of the time picker: URL key, label and span (null: everything stored).</summary>
    public static IReadOnlyList<(string Key, string Label, TimeSpan? Span)> Presets { get; } =
    [
        ("15m", "last 15 minutes", TimeSpan.FromMinutes(15)),
        ("1h", "last hour", TimeSpan.FromHours(1)),
        ("6h", "last 6 hours", TimeSpan.FromHours(6)),
        ("24h", "last 24 hours", TimeSpan.FromDays(1)),
        ("7d", "last 7 days", TimeSpan.FromDays(7)),
        ("30d", "last 30 days", TimeSpan.FromDays(30)),
        ("all", "everything", null),
    ];

    public static IReadOnlyList<TimeSpan> BucketLadder { get; } =
    [
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1),
        TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromDays(1), TimeSpan.FromDays(7),
    ];

    private TimeRange(string? preset, DateTimeOffset? from, DateTimeOffset? to) => (Preset, CustomFrom, CustomTo) = (preset, from, to);

    /// <summary>The preset key, or null for a custom range.</summary>
    public string? Preset { get; }

    public DateTimeOffset? CustomFrom { get; }

    public DateTimeOffset? CustomTo { get; }

    public bool IsCustom => Preset is null;

    public static TimeRange Default { get; } = new(DefaultPreset, null, null);

    public static TimeRange OfPreset(string key) =>
        Presets.Any(p => p.Key == key) ? new(key, null, null) : throw new ArgumentException($"unknown time range preset '{key}'", nameof(key));

    /// <summary>A custom range; the ends are swapped when given the wrong way round.</summary>
    public static TimeRange Custom(DateTimeOffset from, DateTimeOffset to) =>
        from <= to ? new(null, from.ToUniversalTime(), to.ToUniversalTime()) : new(null, to.ToUniversalTime(), from.ToUniversalTime());

    /// <summary>
    /// Reads the URL's query values: a valid from (and optional to, default now) is a custom range; otherwise a known
    /// preset; otherwise <see cref="Default"/>. Never throws: a mistyped link shows the default view.
    /// </summary>
    public static TimeRange Parse(string? range, string? from, string? to)
    {
        if (TryParseTime(from, out var start))
        {
            return TryParseTime(to, out var end) ? Custom(start, end) : new(null, start.ToUniversalTime(), null);
        }

        return range is not null && Presets.Any(p => p.Key == range) ? new(range, null, null) : Default;
    }

    private static bool TryParseTime(string? text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    /// <summary>The query string of this range (without '?'), e.g. <c>range=24h</c>.</summary>
    public string Query => Preset is { } key
        ? "range=" + key
        : "from=" + Uri.EscapeDataString(CustomFrom!.Value.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture))
            + (CustomTo is { } to ? "&to=" + Uri.EscapeDataString(to.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)) : string.Empty);

    public string Label => Preset is { } key
        ? Presets.First(p => p.Key == key).Label
        : string.Create(CultureInfo.InvariantCulture, $"{CustomFrom!.Value.ToLocalTime():yyyy-MM-dd HH:mm} – {(CustomTo is { } to ? to.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "now")}");

    /// <summary>The span of a preset (null for "everything" and for custom ranges).</summary>
    public TimeSpan? Span => Preset is { } key ? Presets.First(p => p.Key == key).Span : null;

    /// <summary>
    /// The interval shown at <paramref name="now"/>: its start (null: from the first stored window) and its end (never
    /// later than now). The start is aligned down to the range's bucket, so that the first bucket is whole and only the
    /// last one can be partial (still filling, or cut by a custom end).
    /// </summary>
    public (DateTimeOffset? From, DateTimeOffset To) Resolve(DateTimeOffset now)
    {
        if (IsCustom)
        {
            var to = CustomTo is { } end && end < now ? end : now;
            return (Floor(CustomFrom!.Value, BucketFor(to - CustomFrom.Value)), to);
        }

        return Span is { } span ? (Floor(now - span, BucketFor(span)), now) : (null, now);
    }

    /// <summary>The bucket for a range of this length.</summary>
    public static TimeSpan BucketFor(TimeSpan length) =>
        BucketLadder.FirstOrDefault(b => length.Ticks / b.Ticks <= MaxBuckets, BucketLadder[^1]);

    /// <summary>The start of the bucket that holds <paramref name="time"/> (buckets are aligned to UTC multiples).</summary>
    public static DateTimeOffset Floor(DateTimeOffset time, TimeSpan bucket) =>
        new(time.UtcTicks / bucket.Ticks * bucket.Ticks, TimeSpan.Zero);

    /// <summary>
    /// The bucket starts from the bucket holding <paramref name="from"/> to the one holding the instant before
    /// <paramref name="to"/>, each one, with or without data, so that the time axis shows the whole range.
    /// </summary>
    public static IReadOnlyList<DateTimeOffset> Buckets(DateTimeOffset from, DateTimeOffset to, TimeSpan bucket)
    {
        var list = new List<DateTimeOffset>();
        for (var t = Floor(from, bucket); t < to; t += bucket)
        {
            list.Add(t);
        }

        return list.Count == 0 ? [Floor(from, bucket)] : list;
    }

    /// <summary>Whether the last bucket ends after <paramref name="to"/>, i.e. is still filling when to is now.</summary>
    public static bool LastBucketPartial(IReadOnlyList<DateTimeOffset> buckets, TimeSpan bucket, DateTimeOffset to) =>
        buckets.Count > 0 && buckets[^1] + bucket > to;
}
