using System.Diagnostics;
using System.Globalization;
using System.Text;
using FogLens.EdgeAgent.Capture;
using FogLens.EdgeAgent.Detection;
using FogLens.EdgeAgent.Pipeline;
using FogLens.EdgeAgent.Tracking;
using OpenCvSharp;
using FogLens.EdgeAgent.Common;

namespace FogLens.EdgeAgent.Benchmarking;

/// <summary>
/// The edge agent's quality and speed bench (`edge-agent bench`):
/// <list type="bullet">
/// <item>speed: decode + detect + track frames/s on a video scaled to 640x480, per detector, in one run;</item>
/// <item>recall: labelled face chips pasted at random positions and sizes into 640x480 background images;</item>
/// <item>false positives: detections on face-free images.</item>
/// </list>
/// Writes a Markdown report. Single runs on the current machine, not a statistical benchmark.
/// </summary>
public sealed class DetectorBench(string repositoryRoot, string samplesFolder)
{
    private static readonly string[] Backgrounds = ["building.jpg", "home.jpg", "stuff.jpg", "board.jpg", "aero1.jpg", "fruits.jpg", "starry_night.jpg", "graf1.png"];
    private static readonly string[] FaceFree = ["building.jpg", "home.jpg", "stuff.jpg", "board.jpg", "aero1.jpg", "aero3.jpg", "fruits.jpg", "apple.jpg", "orange.jpg", "butterfly.jpg", "starry_night.jpg", "graf1.png", "graf3.png", "smarties.png", "sudoku.png", "chessboard.png", "left01.jpg", "right01.jpg", "box_in_scene.png", "notes.png", "pic1.png", "pic3.png", "rubberwhale1.png", "squirrel_cls.jpg", "HappyFish.jpg", "text_defocus.jpg"];

    public string Run(string video, IReadOnlyList<string> faceChips, int frames, int seed, Action<string> progress)
    {
        IFaceDetector Cascade() => new CascadeFaceDetector(
            new BlazeFaceDetector(BlazeFaceDetector.DefaultPath(repositoryRoot, BlazeFaceModel.Front)),
            new BlazeFaceDetector(BlazeFaceDetector.DefaultPath(repositoryRoot, BlazeFaceModel.Back)));
        var detectors = new (string Name, Func<IFaceDetector> Create, bool Gated)[]
        {
            ("BlazeFace cascade (the agent's default), motion-gated pipeline", Cascade, true),
            ("BlazeFace front, motion-gated pipeline", () => new BlazeFaceDetector(BlazeFaceDetector.DefaultPath(repositoryRoot, BlazeFaceModel.Front)), true),
            ("BlazeFace front, full frame", () => new BlazeFaceDetector(BlazeFaceDetector.DefaultPath(repositoryRoot, BlazeFaceModel.Front)), false),
            ("BlazeFace back (256), full frame", () => new BlazeFaceDetector(BlazeFaceDetector.DefaultPath(repositoryRoot, BlazeFaceModel.Back)), false),
            ("Haar cascade, full frame", () => new HaarFaceDetector(), false),
        };

        var md = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        md.Append(c, $"Video: `{Path.GetFileName(video)}` scaled to 640x480, {frames} frames; recall on {faceChips.Count} face chips pasted into 640x480 backgrounds (seed {seed}); false positives on {FaceFree.Length} face-free images. {Environment.ProcessorCount} cores, ONNX Runtime with 1 intra-op thread.\n\n");
        md.Append("Recall and false positives are measured on full frames; the motion-gated rows differ from the full-frame rows only in which regions are searched, so they show speed (busy video, and a static scene: one still image repeated). The cascade searches a full frame with the front model and one back-model tile per call, taking turns; its recall here is over one round of turns (nine calls). End-to-end recall by face size: `./foglens pipeline eval` (docs/benchmarks.md).\n\n");
        md.Append("| detector | fps, busy video | fps, static scene | recall (all sizes) | recall, faces >= 80 px | recall, faces < 80 px | false positives / face-free image |\n|---|---|---|---|---|---|---|\n");
        foreach (var (name, create, gated) in detectors)
        {
            using var detector = create();
            progress($"{name}: speed");
            var fps = Speed(detector, video, frames, gated);
            var staticFps = StaticSpeed(detector, frames, gated);
            progress($"{name}: recall");
            var (all, large, small) = Recall(detector, faceChips, seed);
            progress($"{name}: false positives");
            var fp = FalsePositives(detector);
            md.Append(c, $"| {name} | {fps:F1} | {staticFps:F1} | {all:P1} | {large:P1} | {small:P1} | {fp:F2} |\n");
        }

        return md.ToString();
    }

    /// <summary>Frames per second of decode + resize + the agent's frame processing (gate, detect, track) over the first frames of a video.</summary>
    private static double Speed(IFaceDetector detector, string video, int frames, bool gated)
    {
        using var source = VideoCaptureSource.Open(video);
        using var processor = new FrameProcessor(detector, Options(gated), new TrackerOptions());
        using var scaled = new Mat();
        var watch = Stopwatch.StartNew();
        var n = 0;
        while (n < frames)
        {
            using var frame = source.Read(_ => { });
            if (frame is null)
            {
                break;
            }

            Cv2.Resize(frame.Image, scaled, new Size(640, 480), 0, 0, InterpolationFlags.Area);
            processor.Process(scaled, frame.CapturedAt);
            n++;
        }

        return n / watch.Elapsed.TotalSeconds;
    }

    /// <summary>Frames per second on a static scene (a still image as every frame), copy + the agent's frame processing.</summary>
    private double StaticSpeed(IFaceDetector detector, int frames, bool gated)
    {
        using var still = Cv2.ImRead(Path.Combine(samplesFolder, "home.jpg"));
        using var scene = new Mat();
        Cv2.Resize(still, scene, new Size(640, 480), 0, 0, InterpolationFlags.Area);
        using var processor = new FrameProcessor(detector, Options(gated), new TrackerOptions());
        var start = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        for (var n = 0; n < frames; n++)
        {
            using var frame = scene.Clone();
            processor.Process(frame, start.AddMilliseconds(n * 40));
        }

        return frames / watch.Elapsed.TotalSeconds;
    }

    private static EdgeAgentOptions Options(bool gated) => new() { EdgeId = "bench", Source = "bench", MotionGating = gated };

    private (double All, double Large, double Small) Recall(IFaceDetector detector, IReadOnlyList<string> chips, int seed)
    {
        var rng = new Random(seed);
        var backgrounds = Backgrounds.Select(b => Path.Combine(samplesFolder, b)).Where(File.Exists).ToArray();
        int hits = 0, largeHits = 0, large = 0, smallHits = 0, small = 0;
        foreach (var chipPath in chips)
        {
            using var chip = Cv2.ImRead(chipPath);
            using var background = Cv2.ImRead(backgrounds[rng.Next(backgrounds.Length)]);
            using var frame = new Mat();
            Cv2.Resize(background, frame, new Size(640, 480), 0, 0, InterpolationFlags.Area);
            var side = rng.Next(60, 321);
            var x = rng.Next(0, 640 - side);
            var y = rng.Next(0, 480 - side);
            using (var resized = new Mat())
            {
                Cv2.Resize(chip, resized, new Size(side, side), 0, 0, InterpolationFlags.Area);
                resized.CopyTo(new Mat(frame, new Rect(x, y, side, side)));
            }

            // The chip is an aligned face with margin: the face fills roughly its central 70 %.
            var rounds = detector is CascadeFaceDetector cascade ? cascade.TileRounds(frame.Width, frame.Height) : 1;
            var found = Enumerable.Range(0, rounds).SelectMany(_ => detector.Detect(frame)).Any(d =>
                d.CenterX > x + (0.15 * side) && d.CenterX < x + (0.85 * side) && d.CenterY > y + (0.15 * side) && d.CenterY < y + (0.85 * side)
                && d.Width > 0.25 * side && d.Width < 1.1 * side);
            var faceSide = 0.7 * side;
            hits += found ? 1 : 0;
            if (faceSide >= 80)
            {
                large++;
                largeHits += found ? 1 : 0;
            }
            else
            {
                small++;
                smallHits += found ? 1 : 0;
            }
        }

        return ((double)hits / chips.Count, large == 0 ? double.NaN : (double)largeHits / large, small == 0 ? double.NaN : (double)smallHits / small);
    }

    private double FalsePositives(IFaceDetector detector)
    {
        var images = FaceFree.Select(f => Path.Combine(samplesFolder, f)).Where(File.Exists).ToArray();
        var detections = 0;
        foreach (var path in images)
        {
            using var image = Cv2.ImRead(path);
            using var frame = new Mat();
            Cv2.Resize(image, frame, new Size(640, 480), 0, 0, InterpolationFlags.Area);
            var rounds = detector is CascadeFaceDetector cascade ? cascade.TileRounds(frame.Width, frame.Height) : 1;
            detections += WeightedNms.Apply([.. Enumerable.Range(0, rounds).SelectMany(_ => detector.Detect(frame))], 0.3f).Count;
        }

        return images.Length == 0 ? double.NaN : (double)detections / images.Length;
    }
}
