using FogLens.Contracts;
using FogLens.Contracts.Messages;

namespace FogLens.Contracts.Tests;

/// <summary>Valid messages of every kind, randomised from a seed for round-trip properties.</summary>
internal static class SampleMessages
{
    private static readonly DateTimeOffset Epoch = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public static MessageHeader Header(Random rng, string sender) =>
        new(SchemaVersions.Current, sender, rng.NextInt64(0, long.MaxValue / 2), Guid.NewGuid(), Epoch.AddSeconds(rng.Next(0, 10_000_000)));

    public static string Id(Random rng)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_";
        var chars = new char[rng.Next(1, NodeId.MaxLength + 1)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[rng.Next(alphabet.Length)];
        }

        return new string(chars);
    }

    public static FaceCropMetadata FaceCrop(Random rng, string edgeId)
    {
        var first = Epoch.AddMilliseconds(rng.Next(0, 1_000_000));
        return new FaceCropMetadata(
            Header(rng, edgeId), Id(rng), rng.NextInt64(0, 1_000_000), first, first.AddMilliseconds(rng.Next(0, 60_000)),
            first.AddMilliseconds(rng.Next(0, 500)), new FaceBox(rng.Next(0, 600), rng.Next(0, 400), rng.Next(1, 300), rng.Next(1, 300)),
            640, 480, rng.NextSingle(), rng.NextSingle() * 1000, rng.Next(2) == 0 ? "blazeface" : "haar");
    }

    public static EdgeStatus EdgeStatus(Random rng, string edgeId) =>
        new(Header(rng, edgeId), rng.Next(2) == 0 ? NodeState.Online : NodeState.Offline, Id(rng), "file:///video.mp4", "blazeface",
            rng.NextDouble() * 60, rng.NextDouble() * 60, rng.NextDouble() * 10, rng.Next(0, 50), rng.NextInt64(0, 1 << 40), rng.Next(0, 10_000), rng.Next(0, 100));

    public static FogDemographics Demographics(Random rng, string fogId)
    {
        var counts = new[] { rng.Next(0, 10), rng.Next(0, 10), rng.Next(0, 10) };
        var groups = new List<AgeGroupCount>
        {
            new("0-19", 0, 19, counts[0]),
            new("20-59", 20, 59, counts[1]),
            new("60+", 60, null, counts[2]),
        };
        var faces = counts.Sum();
        var start = Epoch.AddMinutes(rng.Next(0, 100_000));
        return new FogDemographics(Header(rng, fogId), Id(rng), Id(rng), start, start.AddMinutes(1), faces,
            faces == 0 ? null : rng.NextDouble() * 90, groups, "v" + rng.Next(1, 100));
    }

    public static FogStatus FogStatus(Random rng, string fogId) =>
        new(Header(rng, fogId), NodeState.Online, "v3", rng.Next(0, 10), rng.Next(), rng.Next(), rng.Next(), rng.Next(0, 100), rng.Next(0, 100),
            rng.NextDouble() * 500, rng.Next(2) == 0, rng.Next(0, 5000),
            rng.Next(3) == 0 ? null : [.. Enumerable.Range(0, rng.Next(0, 4)).Select(_ => EdgeSummary(rng))],
            rng.Next(3) == 0 ? null : "site-" + rng.Next(1, 9).ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static EdgeSummary EdgeSummary(Random rng) =>
        new(Id(rng), rng.Next(2) == 0 ? NodeState.Online : NodeState.Offline, Id(rng), rng.NextDouble() * 30, rng.NextDouble() * 30, rng.Next(0, 10),
            rng.Next(), rng.Next(0, 1000), Epoch.AddSeconds(rng.Next(0, 100_000)));

    public static RoundTask RoundTask(Random rng, long roundId) =>
        new(Header(rng, "portal"), roundId, "v" + rng.Next(1, 100), new string('a', 64), new Uri("http://127.0.0.1:5080/api/models/v1/weights"),
            [Id(rng), Id(rng)], "sbc", 0.01, rng.Next(1, 5), 64, 0.001, Epoch.AddMinutes(5), rng.Next(2) == 0 ? RoundMode.Synchronous : RoundMode.Asynchronous);

    public static ModelUpdateMetadata ModelUpdate(Random rng, long roundId, string fogId) =>
        new(Header(rng, fogId), roundId, "v" + rng.Next(1, 100), "sbc", rng.Next(1, 10_000), rng.Next(0, 1000), rng.NextDouble(), rng.Next(2) == 0 ? null : rng.NextDouble() * 10);

    public static ModelAnnouncement Announcement(Random rng) =>
        new(Header(rng, "portal"), "v" + rng.Next(1, 100), new string('b', 64), new Uri("http://127.0.0.1:5080/api/models/v2/onnx"),
            new string('c', 64), new Uri("http://127.0.0.1:5080/api/models/v2/weights"), rng.NextDouble() * 10, Epoch);
}
