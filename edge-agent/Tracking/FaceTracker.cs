using FogLens.Contracts.Imaging;
using FogLens.EdgeAgent.Detection;
using OpenCvSharp;

namespace FogLens.EdgeAgent.Tracking;

/// <summary>
/// IoU/centroid tracker so that one person crossing the frame becomes one track. Each frame's
/// detections are matched greedily to live tracks (highest IoU first, then nearest centre within a
/// jump limit); unmatched detections start tracks; tracks unseen for too many frames end. Each track
/// keeps its best crop (<see cref="CropQuality"/>) and is published once: when it ends, or when it has
/// been visible for <see cref="TrackerOptions.MaxAge"/>. Not thread-safe: one tracker per camera.
/// </summary>
public sealed class FaceTracker(TrackerOptions options) : IDisposable
{
    private readonly List<Track> _tracks = [];
    private long _nextId = 1;

    public int ActiveTracks => _tracks.Count;

    /// <summary>Last boxes of the live tracks (where to look in the next frame).</summary>
    public IEnumerable<FaceDetection> ActiveBoxes => _tracks.Select(t => t.Last);

    /// <summary>Tracks started so far.</summary>
    public long TracksStarted => _nextId - 1;

    /// <summary>Feeds one processed frame; returns the tracks to publish now.</summary>
    public IReadOnlyList<FinishedTrack> Update(IReadOnlyList<FaceDetection> detections, Mat frame, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(detections);
        ArgumentNullException.ThrowIfNull(frame);
        var faces = detections.Where(d => Math.Min(d.Width, d.Height) >= options.MinFaceSize).ToList();
        var matchedTrack = new bool[_tracks.Count];
        var matchedFace = new bool[faces.Count];
        foreach (var (t, f) in Pairs(faces))
        {
            if (matchedTrack[t] || matchedFace[f])
            {
                continue;
            }

            matchedTrack[t] = matchedFace[f] = true;
            _tracks[t].See(faces[f], frame, at);
        }

        var finished = new List<FinishedTrack>();
        for (var t = _tracks.Count - 1; t >= 0; t--)
        {
            var track = _tracks[t];
            if (!matchedTrack[t])
            {
                track.Misses++;
            }

            if (track.Misses > options.MaxMisses)
            {
                if (track.Hits >= options.MinHits && !track.Published)
                {
                    finished.Add(track.Finish(frame.Width, frame.Height));
                }

                track.Dispose();
                _tracks.RemoveAt(t);
            }
            else if (!track.Published && track.Hits >= options.MinHits && at - track.FirstSeen >= options.MaxAge)
            {
                finished.Add(track.Finish(frame.Width, frame.Height));
            }
        }

        for (var f = 0; f < faces.Count; f++)
        {
            if (!matchedFace[f])
            {
                var track = new Track(_nextId++, at);
                track.See(faces[f], frame, at);
                _tracks.Add(track);
            }
        }

        finished.Reverse();
        return finished;
    }

    /// <summary>Ends every live track (the source ended); returns those worth publishing.</summary>
    public IReadOnlyList<FinishedTrack> Flush(int frameWidth, int frameHeight)
    {
        var finished = _tracks.Where(t => t.Hits >= options.MinHits && !t.Published).Select(t => t.Finish(frameWidth, frameHeight)).ToList();
        Dispose();
        return finished;
    }

    public void Dispose()
    {
        foreach (var t in _tracks)
        {
            t.Dispose();
        }

        _tracks.Clear();
    }

    private IEnumerable<(int Track, int Face)> Pairs(List<FaceDetection> faces)
    {
        var candidates = new List<(int Track, int Face, double Cost)>();
        for (var t = 0; t < _tracks.Count; t++)
        {
            var last = _tracks[t].Last;
            for (var f = 0; f < faces.Count; f++)
            {
                var iou = last.IoU(faces[f]);
                if (iou >= options.MinIoU)
                {
                    candidates.Add((t, f, 1 - iou));
                    continue;
                }

                var size = Math.Max(last.Width, last.Height);
                var jump = Math.Sqrt(Math.Pow(last.CenterX - faces[f].CenterX, 2) + Math.Pow(last.CenterY - faces[f].CenterY, 2)) / size;
                if (jump <= options.MaxCentreJump)
                {
                    candidates.Add((t, f, 1 + jump));
                }
            }
        }

        return candidates.OrderBy(c => c.Cost).Select(c => (c.Track, c.Face));
    }

    private sealed class Track(long id, DateTimeOffset firstSeen) : IDisposable
    {
        private Mat? _bestCrop;
        private FaceDetection _bestBox;
        private DateTimeOffset _bestAt;
        private double _bestQuality = -1;
        private double _bestSharpness;
        private DateTimeOffset _lastSeen = firstSeen;

        public long Id { get; } = id;

        public DateTimeOffset FirstSeen { get; } = firstSeen;

        public FaceDetection Last { get; private set; }

        public int Hits { get; private set; }

        public int Misses { get; set; }

        public bool Published { get; private set; }

        public void See(FaceDetection face, Mat frame, DateTimeOffset at)
        {
            Last = face;
            Hits++;
            Misses = 0;
            _lastSeen = at;
            var (x, y, w, h) = FaceCropGeometry.Expand(face.X, face.Y, face.Width, face.Height, frame.Width, frame.Height);
            if (w < 2 || h < 2)
            {
                return;
            }

            using var view = new Mat(frame, new Rect(x, y, w, h));
            var sharpness = CropQuality.Sharpness(view);
            var quality = CropQuality.Score(face.Score, Math.Min(face.Width, face.Height), sharpness);
            if (quality > _bestQuality)
            {
                _bestCrop?.Dispose();
                _bestCrop = view.Clone();
                _bestQuality = quality;
                _bestSharpness = sharpness;
                _bestBox = face;
                _bestAt = at;
            }
        }

        public FinishedTrack Finish(int frameWidth, int frameHeight)
        {
            Published = true;
            var jpeg = _bestCrop is null ? [] : _bestCrop.ImEncode(".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, 90));
            return new FinishedTrack(Id, FirstSeen, _lastSeen, _bestAt, _bestBox, _bestQuality, _bestSharpness, jpeg, Hits, frameWidth, frameHeight);
        }

        public void Dispose()
        {
            _bestCrop?.Dispose();
            _bestCrop = null;
        }
    }
}
