namespace FogLens.CloudPortal.Data;

/// <summary>
/// Demographics windows summed over one hour or one UTC day (by the time each window starts), maintained at ingest in
/// the transaction that stores the windows (<see cref="DemographicsRollups"/>). Rows exist at three levels: per camera
/// (<see cref="FogId"/> and <see cref="CameraId"/> set), per fog (<see cref="CameraId"/> is <see cref="Site"/>) and
/// for the whole site (both <see cref="Site"/>), so a page filtered by either reads one row per bucket and label. For each
/// bucket, one row per age-group label counts the faces of that group in the windows that may be shown (at least
/// Portal:MinFacesShown faces, the threshold in force when they were stored), and the row labelled
/// <see cref="AllFaces"/> counts every face of every window (the totals, like the raw rows' sum of faces).
/// </summary>
public sealed class DemographicsRollup
{
    /// <summary>Camera of the fog-wide rows, fog and camera of the site-wide rows.</summary>
    public const string Site = "";

    /// <summary>Label of the row counting every face (age groups are never empty, see <c>SafeText.IsGroupLabel</c>).</summary>
    public const string AllFaces = "";

    public RollupPeriod Period { get; set; }

    public DateTimeOffset BucketStart { get; set; }

    public required string FogId { get; set; }

    public required string CameraId { get; set; }

    public required string Label { get; set; }

    public int MinAge { get; set; }

    /// <summary>Faces: of the age group in shown windows, or (<see cref="AllFaces"/>) of all windows.</summary>
    public long Faces { get; set; }

    /// <summary>On the <see cref="AllFaces"/> row, the faces of the windows that may be shown (the heatmap's count); 0 on the others.</summary>
    public long ShownFaces { get; set; }

    /// <summary>Windows counted: shown windows for an age group, all windows for <see cref="AllFaces"/>.</summary>
    public long Windows { get; set; }
}
