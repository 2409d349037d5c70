using FogLens.EdgeAgent.Capture;
using FogLens.EdgeAgent.Detection;
using FogLens.EdgeAgent.Tracking;
using OpenCvSharp;
using FogLens.EdgeAgent.Common;

namespace FogLens.EdgeAgent.Pipeline;

/// <summary>
/// What the edge does with one camera frame, without any I/O: the motion gate decides where to look,
/// the detector runs there, detections of overlapping regions are merged, and the tracker returns the
/// tracks to publish. <see cref="EdgePipeline"/> feeds it frames from a source; the pipeline evaluation
/// (tools/FogLens.PipelineEval) feeds it synthetic scenes. One instance per camera; not thread-safe.
/// </summary>
public sealed class FrameProcessor(IFaceDetector detector, EdgeAgentOptions options, TrackerOptions trackerOptions) : IDisposable
{
    private readonly FaceTracker _tracker = new(trackerOptions);
    private readonly MotionGate _gate = new();
    private long _processed;
    private int _width;
    private int _height;

    public int ActiveTracks => _tracker.ActiveTracks;

    /// <summary>Detects and tracks faces in one frame; returns the tracks finished by it.</summary>
    public FrameOutcome Process(Mat frame, DateTimeOffset capturedAt)
    {
        ArgumentNullException.ThrowIfNull(frame);
        _width = frame.Width;
        _height = frame.Height;
        var (regions, windows) = Regions(frame, _processed++);
        if (regions.Count == 0 && windows.Count == 0)
        {
            return new FrameOutcome(_tracker.Update([], frame, capturedAt), Gated: true, []);
        }

        var faces = new List<FaceDetection>();
        foreach (var region in regions)
        {
            faces.AddRange(detector.Detect(frame, region));
        }

        foreach (var window in windows)
        {
            faces.AddRange(detector.DetectTracked(frame, window));
        }

        var merged = regions.Count + windows.Count > 1 ? WeightedNms.Apply(faces, 0.3f) : faces;
        return new FrameOutcome(_tracker.Update(merged, frame, capturedAt), Gated: false, merged);
    }

    /// <summary>Ends every live track (the source ended); returns those worth publishing.</summary>
    public IReadOnlyList<FinishedTrack> Flush() => _tracker.Flush(_width, _height);

    public void Dispose()
    {
        _tracker.Dispose();
        _gate.Dispose();
    }

    /// <summary>
    /// Where to run the detector: the motion regions (merged), and a window of three times the box around
    /// every live track (so a person who stops moving stays tracked, and a small face is seen zoomed in);
    /// or the whole frame every FullFrameEvery frames.
    /// </summary>
    private (List<Rect> Regions, List<Rect> Windows) Regions(Mat image, long processed)
    {
        var whole = new Rect(0, 0, image.Width, image.Height);
        if (!options.MotionGating)
        {
            return ([whole], []);
        }

        var moving = _gate.Regions(image);
        if (processed % options.FullFrameEvery == 0)
        {
            return ([whole], []);
        }

        var windows = new List<Rect>();
        foreach (var box in _tracker.ActiveBoxes)
        {
            var side = (int)(Math.Max(box.Width, box.Height) * 3);
            var window = new Rect((int)box.CenterX - (side / 2), (int)box.CenterY - (side / 2), side, side).Intersect(whole);
            if (window.Width > 0 && window.Height > 0)
            {
                windows.Add(window);
            }
        }

        return ([.. moving], windows);
    }
}
