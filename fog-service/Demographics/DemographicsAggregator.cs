using System.Security.Cryptography;
using System.Text;
using FogLens.AgeModel;
using FogLens.Contracts;
using FogLens.Contracts.Messages;

namespace FogLens.FogService.Demographics;

/// <summary>
/// Counts faces per edge × camera × tumbling window × age group, with the sum of ages for the mean.
/// A window is closed once the clock passes its end plus the grace period; <see cref="Close"/> returns
/// the finished windows as messages whose id is derived from the crops they count, so closing the same
/// faces again (a replay after a crash) gives the same message and the portal stores it once. Thread-safe.
/// </summary>
public sealed class DemographicsAggregator(AgeGroupSet groups, TimeSpan window, TimeSpan grace, MessageHeaderFactory headers)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Edge, string Camera, long Start), WindowState> _windows = [];

    public TimeSpan Window => window;

    public int OpenWindows
    {
        get
        {
            lock (_gate)
            {
                return _windows.Count;
            }
        }
    }

    /// <summary>Faces counted in windows not closed yet (what a crash must not lose).</summary>
    public IReadOnlyList<Observation> Pending()
    {
        lock (_gate)
        {
            return [.. _windows.Values.SelectMany(w => w.Observations)];
        }
    }

    public void Add(Observation observation)
    {
        ArgumentNullException.ThrowIfNull(observation);
        var start = observation.CapturedAt.UtcTicks - (observation.CapturedAt.UtcTicks % window.Ticks);
        lock (_gate)
        {
            if (!_windows.TryGetValue((observation.EdgeId, observation.CameraId, start), out var state))
            {
                state = new WindowState(new int[groups.Count]);
                _windows[(observation.EdgeId, observation.CameraId, start)] = state;
            }

            state.Counts[groups.IndexOf(observation.Age)]++;
            state.AgeSum += observation.Age;
            state.ModelVersion = observation.ModelVersion;
            state.Observations.Add(observation);
        }
    }

    /// <summary>Removes and returns windows whose end + grace is not after <paramref name="now"/> (all windows when <paramref name="all"/>).</summary>
    public IReadOnlyList<FogDemographics> Close(DateTimeOffset now, bool all = false)
    {
        var closed = new List<FogDemographics>();
        lock (_gate)
        {
            foreach (var (key, state) in _windows.ToArray())
            {
                var start = new DateTimeOffset(key.Start, TimeSpan.Zero);
                var end = start + window;
                if (!all && end + grace > now)
                {
                    continue;
                }

                _windows.Remove(key);
                var faces = state.Observations.Count;
                var counts = groups.Groups.Select((g, i) => new AgeGroupCount(g.Label, g.MinAge, g.MaxAge, state.Counts[i])).ToArray();
                var header = headers.Next() with { MessageId = MessageIdOf(headers.SenderId, key, state.Observations) };
                closed.Add(new FogDemographics(header, key.Edge, key.Camera, start, end, faces,
                    faces == 0 ? null : Math.Round(state.AgeSum / faces, 3), counts, state.ModelVersion));
            }
        }

        return [.. closed.OrderBy(d => d.WindowStart).ThenBy(d => d.EdgeId, StringComparer.Ordinal).ThenBy(d => d.CameraId, StringComparer.Ordinal)];
    }

    /// <summary>A name-based id: SHA-256 of the fog, the window and the sorted crop ids, cut to a GUID.</summary>
    private static Guid MessageIdOf(string fog, (string Edge, string Camera, long Start) key, List<Observation> observations)
    {
        var ids = observations.Select(o => o.MessageId).Order().ToList();
        var text = new StringBuilder().Append(fog).Append('/').Append(key.Edge).Append('/').Append(key.Camera).Append('/').Append(key.Start);
        foreach (var id in ids)
        {
            text.Append('/').Append(id.ToString("N"));
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // version 5-style (name-based)
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    private sealed class WindowState(int[] counts)
    {
        public int[] Counts { get; } = counts;

        public double AgeSum { get; set; }

        public string ModelVersion { get; set; } = string.Empty;

        public List<Observation> Observations { get; } = [];
    }
}
