using System.ComponentModel.DataAnnotations;

namespace FogLens.EdgeAgent.Common;

/// <summary>Settings of an edge agent (section "Edge"; environment FOGLENS_EDGE__Edge__*).</summary>
public sealed class EdgeAgentOptions
{
    public const string Section = "Edge";

    /// <summary>Node id of this agent: its MQTT client id and topic level.</summary>
    [Required]
    [RegularExpression("^[a-z0-9_-]{1,64}$", ErrorMessage = "Edge:EdgeId must be 1-64 characters of a-z, 0-9, '-' or '_'")]
    public string EdgeId { get; set; } = string.Empty;

    /// <summary>Camera id reported with each crop (defaults to the edge id).</summary>
    [RegularExpression("^[a-z0-9_-]{0,64}$")]
    public string? CameraId { get; set; }

    /// <summary>Video file, image folder, camera index ("0") or stream URL (rtsp://, http://).</summary>
    [Required]
    public string Source { get; set; } = string.Empty;

    /// <summary>Restart files and folders at their end.</summary>
    public bool Loop { get; set; }

    /// <summary>
    /// Pace file sources at their frame rate and skip frames when detection falls behind, as with a
    /// live camera. Off: process every frame as fast as possible (tests, batch runs).
    /// </summary>
    public bool RealTime { get; set; } = true;

    /// <summary>Frame rate used for image folders in real-time mode.</summary>
    [Range(0.1, 240)]
    public double FolderFps { get; set; } = 10;

    /// <summary>
    /// blazeface-cascade (the front model on small regions such as windows around tracked faces, the
    /// back model on larger ones, tiled for far faces; docs/edge-detectors.md), blazeface (the front
    /// model only: blind to faces below about 64 px in a 640x480 frame), blazeface-back, or haar.
    /// </summary>
    [RegularExpression("^(blazeface-cascade|blazeface|blazeface-back|haar)$", ErrorMessage = "Edge:Detector must be blazeface-cascade, blazeface, blazeface-back or haar")]
    public string Detector { get; set; } = "blazeface-cascade";

    /// <summary>For blazeface-cascade: back-model input pixels per frame pixel on the far-face tiles (1 = 256 px tiles).</summary>
    [Range(0.25, 4.0)]
    public double TileScale { get; set; } = DefaultTileScale;

    /// <summary>For blazeface-cascade: score threshold in windows around tracked faces (at most ScoreThreshold; lower finds more people and makes more false tracks).</summary>
    [Range(0.05, 0.99)]
    public double TrackedScoreThreshold { get; set; } = DefaultTrackedScoreThreshold;

    /// <summary>Default of <see cref="TileScale"/> (256 px tiles).</summary>
    public const double DefaultTileScale = 1.0;

    /// <summary>Default of <see cref="TrackedScoreThreshold"/>: the search threshold's default; 0.45 found 1.6 points
    /// more people but made three times as many false tracks (docs/edge-detectors.md).</summary>
    public const float DefaultTrackedScoreThreshold = 0.6f;

    /// <summary>Folder holding blazeface/*.onnx (default: models/ of the repository or next to the binary).</summary>
    public string? ModelsDirectory { get; set; }

    [Range(0.05, 0.99)]
    public double ScoreThreshold { get; set; } = 0.6;

    /// <summary>Run the detector only where motion is seen (and around live tracks).</summary>
    public bool MotionGating { get; set; } = true;

    /// <summary>Also run a full-frame detection every N processed frames, to catch people standing still.</summary>
    [Range(1, 10_000)]
    public int FullFrameEvery { get; set; } = 25;

    /// <summary>Where the store-and-forward outbox lives.</summary>
    public string? OutboxDirectory { get; set; }

    [Range(1024, long.MaxValue)]
    public long OutboxMaxBytes { get; set; } = 256L * 1024 * 1024;

    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(5);

    public string EffectiveCameraId => string.IsNullOrEmpty(CameraId) ? EdgeId : CameraId;
}
