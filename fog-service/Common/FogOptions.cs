using System.ComponentModel.DataAnnotations;

namespace FogLens.FogService.Common;

/// <summary>Settings of a fog service (section "Fog"; environment FOGLENS_FOG_Fog__*).</summary>
public sealed class FogOptions
{
    public const string Section = "Fog";

    [Required]
    [RegularExpression("^[a-z0-9_-]{1,64}$", ErrorMessage = "Fog:FogId must be 1-64 characters of a-z, 0-9, '-' or '_'")]
    public string FogId { get; set; } = string.Empty;

    /// <summary>
    /// The site this fog serves (a venue, a building): the portal groups fogs by it (site → fog → camera). Reported
    /// in the fog's status; fogs that leave it at its default all belong to one site.
    /// </summary>
    [Required]
    [RegularExpression("^[a-z0-9_-]{1,64}$", ErrorMessage = "Fog:Site must be 1-64 characters of a-z, 0-9, '-' or '_'")]
    public string Site { get; set; } = FogLens.Contracts.Messages.FogStatus.DefaultSite;

    /// <summary>Folder for the cloud outbox, codec state and downloaded models.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>ONNX age model used until the cloud announces another.</summary>
    [Required]
    public string ModelPath { get; set; } = "models/age/age-net.onnx";

    /// <summary>
    /// Arithmetic of the age model: fp32 runs <see cref="ModelPath"/>, int8 its QDQ graph beside it
    /// (age-net.onnx → age-net.int8.onnx), which must exist. Models announced by the cloud are fp32.
    /// </summary>
    [EnumDataType(typeof(FogLens.AgeModel.AgeModelPrecision), ErrorMessage = "Fog:ModelPrecision must be fp32 or int8")]
    public FogLens.AgeModel.AgeModelPrecision ModelPrecision { get; set; } = FogLens.AgeModel.AgeModelPrecision.Fp32;

    /// <summary>
    /// Flip test-time augmentation: each face is also estimated mirrored and the two distributions averaged. On the
    /// aligned validation chips it lowered age-v1-cam's MAE from 4.66 to 4.45 years (CS(5) 69.1 → 71.7 %), but on the
    /// camera path (50 faces, 244 tracks) it measured 8.85 against 8.72 without it, so it is off by default
    /// (models/age/README.md). When on, the fog estimates without it while more than the next batch waits in the crop
    /// spool (counted in <c>foglens.fog.crops_without_flip</c>), so a busy fog keeps its crop rate.
    /// </summary>
    public bool FlipAverage { get; set; }

    /// <summary>Length of the tumbling demographics windows.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long after a window's end late crops are still counted before it is published.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan WindowGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Keep face crops on disk after inference (off: faces are discarded).</summary>
    public bool KeepFaces { get; set; }

    [Range(1, 256)]
    public int InferenceBatch { get; set; } = 32;

    /// <summary>Crops waiting for inference before the MQTT handler waits (back-pressure).</summary>
    [Range(1, 100_000)]
    public int QueueCapacity { get; set; } = 2048;

    [Range(1, 64)]
    public int InferenceThreads { get; set; } = 1;

    [Range(1024, long.MaxValue)]
    public long OutboxMaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// A window that waited this long in the cloud outbox (the link was down) is sent on the late topic, which the portal
    /// stores after the live windows, so the windows closing now are not queued behind an outage's backlog.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LateAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Largest width or height a crop's JPEG header may declare; larger crops are counted as corrupt
    /// images and never decoded (a 2 KB JPEG can declare 20000×20000 pixels).
    /// </summary>
    [Range(16, 8192)]
    public int MaxCropSide { get; set; } = 1024;

    /// <summary>
    /// Bearer token for /metrics and /api/status (Authorization: Bearer ...). Without one, only callers on
    /// the fog's own machine (loopback) may read them.
    /// </summary>
    public string? MetricsToken { get; set; }

    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(5);
}
