using FogLens.AgeModel;
using FogLens.Contracts;
using FogLens.Contracts.Messages;

namespace FogLens.FogService.Demographics;

/// <summary>
/// Counts faces per edge × camera × tumbling window × age group, with the sum of ages for the mean.
/// A window is closed once the clock passes its end plus the grace period; <see cref="Close"/> returns
/// the finished windows as messages. Thread-safe.
/// </summary>
public sealed class DemographicsAggregator(AgeGroupSet groups, TimeSpan window, TimeSpan grace, MessageHeaderFactory headers)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Edge, string Camera, long Start), WindowState> _windows = [];

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

    public void Add(string edgeId, string cameraId, DateTimeOffset capturedAt, double age, string modelVersion)
    {
        var start = capturedAt.UtcTicks - (capturedAt.UtcTicks % window.Ticks);
        lock (_gate)
        {
            if (!_windows.TryGetValue((edgeId, cameraId, start), out var state))
            {
                state = new WindowState(new int[groups.Count]);
                _windows[(edgeId, cameraId, start)] = state;
            }

            state.Counts[groups.IndexOf(age)]++;
            state.AgeSum += age;
            state.Faces++;
            state.ModelVersion = modelVersion;
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
                var counts = groups.Groups.Select((g, i) => new AgeGroupCount(g.Label, g.MinAge, g.MaxAge, state.Counts[i])).ToArray();
                closed.Add(new FogDemographics(headers.Next(), key.Edge, key.Camera, start, end, state.Faces,
                    state.Faces == 0 ? null : Math.Round(state.AgeSum / state.Faces, 3), counts, state.ModelVersion));
            }
        }

        return [.. closed.OrderBy(d => d.WindowStart).ThenBy(d => d.EdgeId, StringComparer.Ordinal).ThenBy(d => d.CameraId, StringComparer.Ordinal)];
    }

    private sealed class WindowState(int[] counts)
    {
        public int[] Counts { get; } = counts;

        public int Faces { get; set; }

        public double AgeSum { get; set; }

        public string ModelVersion { get; set; } = string.Empty;
    }
}
