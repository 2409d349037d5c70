using System.ComponentModel.DataAnnotations;

namespace FogLens.EdgeAgent.Tracking;

/// <summary>Settings of the face tracker (section "Tracker").</summary>
public sealed class TrackerOptions
{
    public const string Section = "Tracker";

    /// <summary>Lowest IoU that continues a track.</summary>
    [Range(0.01, 0.99)]
    public double MinIoU { get; set; } = 0.2;

    /// <summary>Without overlap, a detection continues a track if its centre moved less than this × the track's box size.</summary>
    [Range(0.05, 10)]
    public double MaxCentreJump { get; set; } = 0.8;

    /// <summary>Detections a track needs before it may be published (filters one-frame false positives).</summary>
    [Range(1, 100)]
    public int MinHits { get; set; } = 3;

    /// <summary>Processed frames a track may go unseen before it ends.</summary>
    [Range(0, 1000)]
    public int MaxMisses { get; set; } = 8;

    /// <summary>A track still visible after this long is published then (once) rather than when it ends.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Faces smaller than this (pixels, box side) are not tracked. Below the smallest faces the edge is
    /// meant to count (24 px, docs/benchmarks.md), with room for the detector's box jitter.
    /// </summary>
    [Range(4, 4096)]
    public int MinFaceSize { get; set; } = 16;
}
