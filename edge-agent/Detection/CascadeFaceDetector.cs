using FogLens.EdgeAgent.Common;
using OpenCvSharp;

namespace FogLens.EdgeAgent.Detection;

/// <summary>
/// Far and near faces with both BlazeFace models. A model letterboxes a region into its square input,
/// so in a large region a small face shrinks below what it can see (measured with
/// `./foglens pipeline probe`: the front model needs about 20–24 px of face in its 128 px input, the
/// back model finds two thirds of 24 px faces at 16 px in its 256 px input and most at 20–24 px).
/// <list type="bullet">
/// <item>Windows around tracked faces (<see cref="DetectTracked"/>) and regions small enough for the
/// front model to see at scale ≥ 1 go to the front model: cheap, and best on zoomed-in faces.</item>
/// <item>A region the back model sees at ≥ <see cref="TileScale"/> goes to the back model whole.</item>
/// <item>A larger region (busy scenes merge into the whole frame) goes to the front model whole (faces
/// above about 100 px in a 640x480 frame) and to one square tile of it that the back model sees at
/// <see cref="TileScale"/> (small faces). The tiles overlap by a quarter and take turns from call to
/// call, so the cost per frame stays bounded (two inferences) and a far face is searched every few
/// frames; once found, its track's window keeps it in view.</item>
/// </list>
/// Results are merged by weighted NMS, and a box lying mostly inside a larger one (a tile's view of part
/// of a big face) is dropped. Owns both models; thread-safe (the tile turn is an atomic counter).
/// </summary>
public sealed class CascadeFaceDetector : IFaceDetector
{
    /// <summary>Share of a smaller box inside a larger one above which the smaller is dropped.</summary>
    public const float ContainedFraction = 0.6f;

    private readonly BlazeFaceDetector _near;
    private readonly BlazeFaceDetector _far;
    private long _turn = -1;

    public CascadeFaceDetector(BlazeFaceDetector near, BlazeFaceDetector far, double tileScale = DefaultTileScale, float trackedScoreThreshold = DefaultTrackedScoreThreshold)
    {
        ArgumentNullException.ThrowIfNull(near);
        ArgumentNullException.ThrowIfNull(far);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tileScale);
        _near = near;
        _far = far;
        TileScale = tileScale;
        TrackedScoreThreshold = Math.Min(near.ScoreThreshold, trackedScoreThreshold);
    }

    /// <summary>Back-model input pixels per frame pixel on the tiles (1: 256 px tiles, nine cover a 640x480 frame).</summary>
    public const double DefaultTileScale = EdgeAgentOptions.DefaultTileScale;

    /// <summary>
    /// Default score threshold in windows around tracked faces: the search threshold's default. A lower one
    /// (0.45) found 1.6 points more people but made three times as many false tracks (docs/edge-detectors.md).
    /// </summary>
    public const float DefaultTrackedScoreThreshold = EdgeAgentOptions.DefaultTrackedScoreThreshold;

    /// <summary>Score threshold in windows around tracked faces (at most the search threshold).</summary>
    public float TrackedScoreThreshold { get; }

    public string Name => "blazeface-cascade";

    public double TileScale { get; }

    /// <summary>Side of a tile in frame pixels.</summary>
    public int TileSide => (int)Math.Round(_far.InputSize / TileScale);

    /// <summary>Calls on a region of this size after which every tile has had its turn.</summary>
    public int TileRounds(int width, int height) => Starts(width, TileSide).Count * Starts(height, TileSide).Count;

    public IReadOnlyList<FaceDetection> Detect(Mat bgr, Rect? region = null)
    {
        ArgumentNullException.ThrowIfNull(bgr);
        var roi = (region ?? new Rect(0, 0, bgr.Width, bgr.Height)).Intersect(new Rect(0, 0, bgr.Width, bgr.Height));
        if (roi.Width < 8 || roi.Height < 8)
        {
            return [];
        }

        var side = Math.Max(roi.Width, roi.Height);
        if (side <= _near.InputSize)
        {
            return _near.Detect(bgr, roi);
        }

        if ((double)_far.InputSize / side >= TileScale)
        {
            return _far.Detect(bgr, roi);
        }

        var faces = new List<FaceDetection>(_near.Detect(bgr, roi));
        var tile = TileSide;
        var xs = Starts(roi.Width, tile);
        var ys = Starts(roi.Height, tile);
        var turn = (int)((ulong)Interlocked.Increment(ref _turn) % (ulong)(xs.Count * ys.Count));
        var t = new Rect(roi.X + xs[turn % xs.Count], roi.Y + ys[turn / xs.Count], Math.Min(tile, roi.Width), Math.Min(tile, roi.Height));
        var largest = 0.6f * tile;
        foreach (var face in _far.Detect(bgr, t))
        {
            if (Math.Max(face.Width, face.Height) <= largest)
            {
                faces.Add(face);
            }
        }

        return DropContained(WeightedNms.Apply(faces, _far.NmsThreshold));
    }

    /// <summary>
    /// The front model on the window, with <see cref="TrackedScoreThreshold"/> (may be set below the search
    /// threshold: the face was already found there, so a weaker response can continue its track, as in
    /// hysteresis or ByteTrack's second association).
    /// </summary>
    public IReadOnlyList<FaceDetection> DetectTracked(Mat bgr, Rect window) =>
        _near.Detect(bgr, window, TrackedScoreThreshold);

    public void Dispose()
    {
        _near.Dispose();
        _far.Dispose();
    }

    /// <summary>Tile offsets covering [0, length) with tiles of <paramref name="tile"/> overlapping by at least a quarter.</summary>
    public static List<int> Starts(int length, int tile)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tile);
        if (length <= tile)
        {
            return [0];
        }

        var stride = tile - (tile / 4);
        var count = (int)Math.Ceiling((length - tile) / (double)stride) + 1;
        var starts = new List<int>(count);
        for (var i = 0; i < count; i++)
        {
            starts.Add((int)Math.Round(i * (length - tile) / (double)(count - 1)));
        }

        return starts;
    }

    /// <summary>Drops boxes that lie mostly inside a larger kept box.</summary>
    public static List<FaceDetection> DropContained(List<FaceDetection> faces)
    {
        ArgumentNullException.ThrowIfNull(faces);
        faces.Sort((a, b) => b.Area.CompareTo(a.Area));
        var kept = new List<FaceDetection>(faces.Count);
        foreach (var face in faces)
        {
            var inside = false;
            foreach (var larger in kept)
            {
                var ix = Math.Max(0, Math.Min(face.Right, larger.Right) - Math.Max(face.X, larger.X));
                var iy = Math.Max(0, Math.Min(face.Bottom, larger.Bottom) - Math.Max(face.Y, larger.Y));
                if (ix * iy >= ContainedFraction * face.Area)
                {
                    inside = true;
                    break;
                }
            }

            if (!inside)
            {
                kept.Add(face);
            }
        }

        return kept;
    }
}
